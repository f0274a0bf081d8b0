"""Chinese labels (through the catalog) for every liaison enum; templates reach them as `liaison_labels`."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .exchanges.models import ExchangeKind, ExchangeState, MilestoneState
from .meetings.workflow import Action, MeetingKind, Response, State
from .minutes.models import AmendmentKind
from .minutes.workflow import ItemAction, ItemState, MinutesAction, MinutesState
from .registry.models import ContactRole

# One table per enum: StrEnum members equal their values, so equal values of two enums would
# collide as keys of a single dict.
_LABELS = {
    MeetingKind: {MeetingKind.JOINT_MEETING: _l("联席会议"), MeetingKind.LIAISON_MEETING: _l("联络会议"),
                  MeetingKind.CONSULTATION: _l("会商"), MeetingKind.BRIEFING: _l("情况通报会")},
    State: {State.SCHEDULED: _l("已安排"), State.HELD: _l("已召开"), State.CANCELLED: _l("已取消")},
    Action: {Action.EDIT: _l("修改会议信息"), Action.INVITE: _l("邀请参会人员"), Action.ADD_AGENDA: _l("增加议程"),
             Action.CANCEL: _l("取消会议"), Action.HOLD: _l("确认召开并起草纪要")},
    Response: {Response.PENDING: _l("待回复"), Response.ACCEPTED: _l("接受"), Response.DECLINED: _l("谢绝"),
               Response.DELEGATED: _l("委派他人参加")},
    MinutesState: {MinutesState.DRAFT: _l("草稿"), MinutesState.REVIEW: _l("征求意见中"),
                   MinutesState.APPROVED: _l("已审定")},
    MinutesAction: {MinutesAction.EDIT: _l("修改纪要"), MinutesAction.OPEN_REVIEW: _l("送参会人员征求意见"),
                    MinutesAction.PROPOSE_AMENDMENT: _l("提出修改意见"), MinutesAction.REVISE: _l("退回修改"),
                    MinutesAction.APPROVE: _l("审定纪要"), MinutesAction.CORRECT: _l("附更正说明")},
    ItemState: {ItemState.OPEN: _l("办理中"), ItemState.DONE: _l("已完成"), ItemState.DROPPED: _l("已撤销")},
    ItemAction: {ItemAction.COMPLETE: _l("标记完成"), ItemAction.DROP: _l("撤销"),
                 ItemAction.SPAWN_REFERRAL: _l("转为移送事项"), ItemAction.SPAWN_TOPIC: _l("转为监督议题")},
    AmendmentKind: {AmendmentKind.PROPOSAL: _l("修改意见"), AmendmentKind.CORRECTION: _l("更正说明")},
    ContactRole: {ContactRole.PRIMARY: _l("主要联络人"), ContactRole.DEPUTY: _l("副联络人")},
    ExchangeKind: {ExchangeKind.SEMINAR: _l("座谈研讨"), ExchangeKind.PERSONNEL: _l("岗位交流"),
                   ExchangeKind.HEARING: _l("检察听证"), ExchangeKind.COURT_OBSERVATION: _l("庭审观摩"),
                   ExchangeKind.JOINT_RESEARCH: _l("联合课题研究")},
    ExchangeState: {ExchangeState.PLANNED: _l("已安排"), ExchangeState.DONE: _l("已举行"),
                    ExchangeState.CANCELLED: _l("已取消")},
    MilestoneState: {MilestoneState.OPEN: _l("进行中"), MilestoneState.DONE: _l("已完成")},
}


def label(value) -> str:
    """The Chinese (or, with the English catalog, English) label of any liaison enum member."""
    if value is None:
        return ""
    return str(_LABELS[type(value)][value])


def choices(enum_cls) -> list[tuple[str, str]]:
    return [(m.value, str(_LABELS[enum_cls][m])) for m in enum_cls]
