from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from .models import OrgKind, OrgLevel


class OrganisationForm(FlaskForm):
    code = StringField(_l("机构代码"), validators=[DataRequired(_l("请输入机构代码。")), Length(max=40)],
                       description=_l("全局唯一，如 JZ-NPC、JZ-P-JB。导入和接口以此识别机构。"))
    name = StringField(_l("机构名称"), validators=[DataRequired(_l("请输入机构名称。")), Length(max=120)])
    short_name = StringField(_l("简称"), validators=[Optional(), Length(max=40)])
    kind = SelectField(_l("机构类型"), choices=[])
    level = SelectField(_l("层级"), choices=[])
    parent = SelectField(_l("上级机构"), coerce=int, choices=[])
    serial_prefix = StringField(_l("编号前缀"), validators=[Optional(), Length(max=12)],
                                description=_l("本机构发出事项编号的前缀（大写字母），如 YS → YS-2026-0015。"))
    version = HiddenField()

    def set_choices(self, parents) -> None:
        self.kind.choices = [(k.value, str(k.label)) for k in OrgKind]
        self.level.choices = [(lv.value, str(lv.label)) for lv in OrgLevel]
        self.parent.choices = [(0, str(_l("（无上级）")))] + [(o.id, "\u3000" * o.depth + o.name) for o in parents]


class MoveForm(FlaskForm):
    parent = SelectField(_l("新的上级机构"), coerce=int, choices=[])
    version = HiddenField()


class PairForm(FlaskForm):
    procuratorate = SelectField(_l("同级人民检察院"), coerce=int, choices=[])


class VersionForm(FlaskForm):
    version = HiddenField()


class ImportForm(FlaskForm):
    sheet = FileField(_l("机构表（XLSX 或 CSV）"), validators=[
        FileRequired(_l("请选择要导入的文件。")),
        FileAllowed(["xlsx", "csv"], _l("只支持 XLSX 或 CSV 文件。"))])
