from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField


class UploadForm(FlaskForm):
    """Shape only; what the file is, and who may add it, the service decides (by content)."""

    file = FileField(_l("附件"), validators=[FileRequired(_l("请选择要上传的文件。"))])
    internal = BooleanField(_l("仅本方可见（内部材料）"))
