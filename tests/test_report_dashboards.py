"""Dashboards: each role's page, charts with data tables beside them, drill-down links, definitions,
refusals of bad periods in Chinese, and what a deputy sees."""
from __future__ import annotations

import datetime as dt

import pytest

from oversight.accounts.models import Role
from oversight.workdays import today
from reports.charts import bar_chart
from reports.statistics import Period, PeriodKind
from tests.conftest import text_of
from tests.report_data import seed_referrals


@pytest.fixture
def seeded(world):
    seed_referrals(world, start=Period.containing(PeriodKind.MONTH, today()).start, days=25, count=60)
    return world


def test_a_chart_is_svg_with_real_chinese_text_and_a_label(app):
    svg = bar_chart("按类型", ["代表建议", "镕堃喆赟"], [3.0, None], percent=True)
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert ">镕堃喆赟<" in svg and "样本不足" in svg and "Noto Sans CJK SC" in svg
    assert "<?xml" not in svg


def test_leadership_dashboard_shows_charts_tables_definitions_and_drill_down(client, login, seeded):
    login(seeded.staff)
    response = client.get("/reports/leadership")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<svg") >= 3 and "<caption>" in html
    assert "/referrals/search?" in html and "sent_from=" in html and "sent_to=" in html
    assert "本期内完成签收的事项中" in html  # the published definition beside the figure
    assert "人大领导看板" in text_of(response)


def test_each_role_reaches_its_dashboard(client, login, seeded, make_user):
    contact_page = None
    login(seeded.contact)
    contact_page = client.get("/reports/", follow_redirects=True)
    assert "检察院看板" in text_of(contact_page)
    assert client.get("/reports/leadership").status_code == 403
    org = client.get(f"/reports/organisation/{seeded.d_proc.id}")
    assert org.status_code == 200 and "区人民检察院" in text_of(org)


def test_a_deputy_sees_own_items_and_the_overall_figures(client, login, seeded, make_user):
    deputy = make_user("deputy", seeded.station, roles={Role.DEPUTY}, display_name="王代表")
    login(deputy)
    page = client.get("/reports/", follow_redirects=True)
    text = text_of(page)
    assert "代表看板" in text and "全市总体情况" in text
    assert client.get(f"/reports/organisation/{seeded.proc.id}").status_code == 404


def test_an_organisation_outside_the_users_scope_is_not_found(client, login, seeded, make_user):
    district = make_user("dcontact", seeded.d_proc, roles={Role.PROCURATORATE_CONTACT})
    login(district)
    assert client.get(f"/reports/organisation/{seeded.proc.id}").status_code == 404


@pytest.mark.parametrize(("kind", "key", "message"), [
    ("month", "2026-13", "格式不正确"),
    ("quarter", "下季度", "格式不正确"),
    ("year", str(dt.date.today().year + 2), "尚未开始"),
])
def test_a_bad_or_future_period_is_refused_in_chinese(client, login, seeded, kind, key, message):
    login(seeded.staff)
    response = client.get(f"/reports/leadership?kind={kind}&period={key}", follow_redirects=True)
    assert response.status_code == 200
    assert message in text_of(response)


def test_a_user_without_a_dashboard_is_refused(client, login, world):
    login(world.auditor)
    assert client.get("/reports/").status_code == 403


@pytest.mark.parametrize("kind", [PeriodKind.MONTH, PeriodKind.QUARTER])
def test_every_drill_down_link_lists_exactly_the_items_its_figure_counts(app, seeded, kind):
    """By period (month, quarter), organisation subtree, receiving organisation, type, state and
    direction: the search behind each link finds as many items as the figure says."""
    import sqlalchemy as sa
    from flask import request

    from oversight.db import db
    from oversight.referrals import queries
    from oversight.referrals.forms import SearchForm
    from reports.statistics import Scope, compute

    period = Period.containing(kind, today())
    for scope in (Scope.for_organisation(seeded.proc, seeded.contact), Scope.for_user(seeded.staff)):
        user = scope.user
        with app.test_request_context():
            stats = compute(period, scope, only=["referrals"])
        checked = 0
        for key in ("by_direction", "by_type", "by_state", "by_organisation"):
            for row in stats.table(key).rows:
                assert row.href and "sent_from=" + period.start.isoformat() in row.href, row.href
                with app.test_request_context(row.href):
                    form = SearchForm(request.args)
                    form.set_choices()
                    assert form.validate(), form.errors
                    found = db.session.scalar(sa.select(sa.func.count()).select_from(
                        queries._filtered(user, form.filters()).subquery()))
                assert found == row.values[0], (key, row.label, row.href)
                checked += row.values[0]
        assert checked > 0


def test_the_search_refuses_a_reversed_date_range_in_chinese(client, login, seeded):
    login(seeded.staff)
    response = client.get("/referrals/search?sent_from=2026-11-30&sent_to=2026-11-01")
    assert response.status_code == 200 and "不能早于" in text_of(response)
    bad = client.get("/referrals/search?sent_from=2026-13-01")
    assert "请输入有效日期" in text_of(bad)
