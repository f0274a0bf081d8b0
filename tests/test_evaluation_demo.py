"""`flask demo load`: a closed campaign with published results and an open one whose demo codes work."""
from __future__ import annotations

import sqlalchemy as sa

from oversight.audit.services import verify
from oversight.db import db
from oversight.demo import data
from reports.evaluation import queries
from reports.evaluation.demo import DEMO_TOKENS
from reports.evaluation.models import Campaign
from reports.evaluation.workflow import State
from tests.conftest import text_of


def test_demo_campaigns(app, runner, client, monkeypatch):
    monkeypatch.setattr(data, "REFERRAL_COUNT", 12)
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "evaluation campaigns: 2" in result.output and DEMO_TOKENS[0] in result.output
    past, current = db.session.scalars(sa.select(Campaign).order_by(Campaign.id)).all()
    assert past.state is State.PUBLISHED and current.state is State.OPEN
    figures = queries.results(past)
    assert figures.submitted == 12 and figures.issued == 15
    assert all(r.evaluated == 12 and 0 < r.satisfaction_rate < 1 for r in figures.items)
    assert "80.0%" in text_of(client.get(f"/public/evaluation/results/{past.id}"))  # 12 of 15 took part
    page = client.get(f"/public/evaluation/{DEMO_TOKENS[0]}")
    assert page.status_code == 200 and current.title in text_of(page)
    client.post("/login", data={"username": "npc.liaison", "password": data.DEMO_PASSWORD})
    staff = client.get(f"/evaluation/{current.id}").get_data(as_text=True)
    assert all(t in staff for t in DEMO_TOKENS)
    assert "evaluation campaigns: 0" in runner.invoke(args=["demo", "load"]).output
    assert verify().ok
