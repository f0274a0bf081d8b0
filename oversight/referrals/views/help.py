"""How it works: each workflow drawn as a table from the same data the services use."""
from __future__ import annotations

from flask import render_template

from ...accounts.models import Role
from .. import deadlines, labels, queries
from ..deadlines import DueKind
from ..models import Referral
from ..workflow import TABLES, Action, Direction, State
from . import bp


@bp.get("/help")
def help_page():
    return render_template("referrals/help.html", workflows=[(d, _workflow_rows(d)) for d in Direction],
                           types=queries.types_for(active_only=False))


class _Marked:
    """A stand-in referral whose due dates are their own kinds (those `like` has, or all): then
    `current_due_of` says which deadline runs in a state, from the same code the services use."""

    def __init__(self, state: State, like: Referral | None = None):
        self.state = state
        for kind in DueKind:
            present = like is None or getattr(like, f"{kind.value}_due") is not None
            setattr(self, f"{kind.value}_due", kind if present else None)


def _workflow_rows(direction: Direction) -> list[dict]:
    order = {s: i for i, s in enumerate(State)}
    rows = []
    actions = {a: i for i, a in enumerate(Action)}
    for (state, action), rule in sorted(TABLES[direction].items(), key=lambda kv: (order[kv[0][0]], actions[kv[0][1]])):
        rows.append({"state": state, "action": action, "rule": rule,
                     "party": labels.party_name(direction, rule.party),
                     "roles": [Role(r).label for r in sorted(rule.roles)],
                     "deadline": deadlines.current_due_of(_Marked(state))})
    return rows
