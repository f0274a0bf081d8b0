from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, db, enum_column, utcnow


class Side(enum.StrEnum):
    """Which institution an organisation or role belongs to."""

    NPC = "npc"
    PROCURATORATE = "procuratorate"
    EXTERNAL = "external"


class OrgKind(enum.StrEnum):
    NPC_COMMITTEE = "npc_committee"          # 人大常委会
    NPC_BODY = "npc_body"                    # 人大常委会工作机构（专门委员会、工作委员会、办公厅）
    LIAISON_STATION = "liaison_station"      # 代表联络站
    PROCURATORATE = "procuratorate"          # 人民检察院
    PROCURATORATE_DEPARTMENT = "procuratorate_department"  # 检察院内设部门
    EXTERNAL_UNIT = "external_unit"          # 其他单位（如政府部门），可列入责任清单

    @property
    def side(self) -> Side:
        return KIND_SIDE[self]


KIND_SIDE = {
    OrgKind.NPC_COMMITTEE: Side.NPC,
    OrgKind.NPC_BODY: Side.NPC,
    OrgKind.LIAISON_STATION: Side.NPC,
    OrgKind.PROCURATORATE: Side.PROCURATORATE,
    OrgKind.PROCURATORATE_DEPARTMENT: Side.PROCURATORATE,
    OrgKind.EXTERNAL_UNIT: Side.EXTERNAL,
}

# Which kinds may sit directly under which. None = may be a root.
ALLOWED_PARENTS: dict[OrgKind, set[OrgKind | None]] = {
    OrgKind.NPC_COMMITTEE: {None, OrgKind.NPC_COMMITTEE},
    OrgKind.NPC_BODY: {OrgKind.NPC_COMMITTEE, OrgKind.NPC_BODY},
    OrgKind.LIAISON_STATION: {OrgKind.NPC_COMMITTEE, OrgKind.NPC_BODY},
    OrgKind.PROCURATORATE: {None, OrgKind.PROCURATORATE},
    OrgKind.PROCURATORATE_DEPARTMENT: {OrgKind.PROCURATORATE, OrgKind.PROCURATORATE_DEPARTMENT},
    OrgKind.EXTERNAL_UNIT: {None, OrgKind.EXTERNAL_UNIT},
}


class OrgLevel(enum.StrEnum):
    PROVINCE = "province"   # 省级（直辖市）
    CITY = "city"           # 设区的市
    BRANCH = "branch"       # 分院（检察院派出机构）
    COUNTY = "county"       # 区县
    NONE = "none"           # 工作机构、内设部门、联络站：随上级


class Organisation(db.Model):
    __tablename__ = "organisations"
    __table_args__ = (
        # A pairing only ever links an NPC standing committee to a procuratorate.
        sa.CheckConstraint(
            "paired_procuratorate_id IS NULL OR kind = 'npc_committee'", name="pairing_from_committee"
        ),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        sa.Index("ix_organisations_path", "path"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    short_name: Mapped[str] = mapped_column(sa.String(40), default="")
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind))
    level: Mapped[OrgLevel] = mapped_column(enum_column(OrgLevel), default=OrgLevel.NONE)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    # Materialised path of ids, "/1/4/9/": subtree = path LIKE '/1/4/%'. Kept by services.
    path: Mapped[str] = mapped_column(sa.String(400), default="/")
    paired_procuratorate_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id"), unique=True
    )
    # Prefix of human serials for what this organisation sends (YS-2026-0015).
    serial_prefix: Mapped[str] = mapped_column(sa.String(12), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    parent: Mapped[Organisation | None] = relationship(
        remote_side="Organisation.id", foreign_keys=[parent_id], back_populates="children"
    )
    children: Mapped[list[Organisation]] = relationship(
        foreign_keys=[parent_id], back_populates="parent", order_by="Organisation.code"
    )
    paired_procuratorate: Mapped[Organisation | None] = relationship(
        remote_side="Organisation.id", foreign_keys=[paired_procuratorate_id]
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def side(self) -> Side:
        return self.kind.side

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def __repr__(self) -> str:
        return f"<Organisation {self.code} {self.name}>"


def _labels():
    from flask_babel import lazy_gettext as _l

    # One table per enum: StrEnum members equal their values, so OrgKind.PROCURATORATE and
    # Side.PROCURATORATE would collide as keys of a single dict.
    return {
        OrgKind: {
            OrgKind.NPC_COMMITTEE: _l("人大常委会"),
            OrgKind.NPC_BODY: _l("人大工作机构"),
            OrgKind.LIAISON_STATION: _l("代表联络站"),
            OrgKind.PROCURATORATE: _l("人民检察院"),
            OrgKind.PROCURATORATE_DEPARTMENT: _l("检察院内设部门"),
            OrgKind.EXTERNAL_UNIT: _l("其他单位"),
        },
        OrgLevel: {
            OrgLevel.PROVINCE: _l("省级"),
            OrgLevel.CITY: _l("市级"),
            OrgLevel.BRANCH: _l("分院"),
            OrgLevel.COUNTY: _l("区县级"),
            OrgLevel.NONE: _l("—"),
        },
        Side: {
            Side.NPC: _l("人大"),
            Side.PROCURATORATE: _l("检察院"),
            Side.EXTERNAL: _l("其他"),
        },
    }


for _enum in (OrgKind, OrgLevel, Side):
    _enum.label = property(lambda self: _labels()[type(self)][self])
