"""The deadline sweep (临期 / 逾期 reminders, evaluation reminder, 未反馈) and the scheduler that runs it."""
from __future__ import annotations

import datetime as dt
import time

import pytest
import sqlalchemy as sa

from oversight.accounts.models import Role
from oversight.audit.models import AuditEntry
from oversight.audit.services import verify
from oversight.db import commit, db
from oversight.notifications.models import Notification
from oversight.referrals import jobs, report_services, services
from oversight.referrals.models import Referral, ReferralType
from oversight.referrals.workflow import Evaluation, Outcome, State
from oversight.workdays import add_working_days, today

ONE_DAY = dt.timedelta(days=1)


def rtype(code: str) -> ReferralType:
    return db.session.scalar(sa.select(ReferralType).where(ReferralType.code == code))


def sent(world, code="inspection_finding", title="某问题", **kw) -> Referral:
    r = services.create_referral(actor=world.staff, rtype=rtype(code), receiver=world.proc, title=title,
                                 body="情况说明", **kw)
    services.send(r, actor=world.staff)
    commit()
    return r


def sweep(on: dt.date) -> dict:
    counts = jobs.deadline_sweep(on)
    commit()
    db.session.expire_all()
    return counts


def notes(kind: str) -> list[tuple[int, str]]:
    """(user id, link) of every notification of `kind`, in order."""
    return [tuple(row) for row in db.session.execute(
        sa.select(Notification.user_id, Notification.link).where(Notification.kind == kind).order_by(Notification.id))]


def test_due_soon_and_overdue_once_per_due_date(world, make_user):
    r = sent(world)
    link = f"/referrals/{r.id}"
    assert sweep(today())["due_soon"] == 1  # acknowledgement due in 3 working days: 临期
    assert notes("due_soon") == [(world.contact.id, link)]
    assert not any(sweep(today()).values())  # run again (or after a restart): nothing new
    assert notes("due_soon") == [(world.contact.id, link)]

    late = r.ack_due + ONE_DAY
    assert sweep(late)["overdue"] == 1 and sweep(late)["overdue"] == 0
    assert sweep(late + ONE_DAY)["overdue"] == 0  # the next day: still the same due date
    assert notes("overdue") == [(world.contact.id, link)]
    assert (r.due_soon_notified_for, r.overdue_notified_for) == (r.ack_due, r.ack_due)

    # A new step has a new due date, and so a reminder of its own — to the handler as well.
    handler = make_user("handler", world.dept, roles={Role.PROCURATORATE_HANDLER})
    services.acknowledge(r, actor=world.contact)
    services.accept(r, actor=world.contact, procedural_reply="已受理")
    services.assign(r, actor=world.contact, department=world.dept, handler=handler)
    commit()
    assert sweep(r.result_due)["due_soon"] == 1 and sweep(r.result_due)["due_soon"] == 0
    assert notes("due_soon")[1:] == [(world.contact.id, link), (handler.id, link)]
    assert sweep(r.result_due + ONE_DAY)["overdue"] == 1
    assert sorted(notes("overdue")[1:]) == sorted([(world.contact.id, link), (handler.id, link)])
    version = r.version
    sweep(r.result_due + 2 * ONE_DAY)
    assert r.version == version  # the bookkeeping never makes a person's edit look stale


def test_nothing_for_referrals_far_from_due_or_closed(world):
    r = sent(world)
    services.withdraw(r, actor=world.staff)
    commit()
    far = sent(world, title="远期")
    counts = sweep(far.ack_due - dt.timedelta(days=30))
    assert counts["due_soon"] == counts["overdue"] == 0
    assert sweep(r.ack_due + dt.timedelta(days=60))["overdue"] == 1  # only `far`, not the withdrawn one


def test_evaluation_reminder_then_closed_as_no_feedback(world, make_user):
    deputy = make_user("deputy", world.station, roles={Role.DEPUTY})
    r = sent(world, "deputy_suggestion", deputy=deputy)
    services.acknowledge(r, actor=world.contact)
    services.accept(r, actor=world.contact, procedural_reply="已受理")
    services.assign(r, actor=world.contact, department=world.dept, handler=None)
    services.reply(r, actor=world.contact, outcome=Outcome.RESOLVED, text="已办理")
    commit()
    link, evaluators = f"/referrals/{r.id}", sorted([(world.staff.id, f"/referrals/{r.id}"), (deputy.id, f"/referrals/{r.id}")])

    assert sweep(r.evaluation_due)["due_soon"] == 1  # the evaluators are the ones to act now
    assert sorted(notes("due_soon")) == evaluators

    on = r.evaluation_due + ONE_DAY
    assert sweep(on)["evaluation_reminded"] == 1
    assert r.state is State.REPLIED and r.evaluation_reminded
    assert r.evaluation_due == r.current_due == add_working_days(on, jobs.EVALUATION_GRACE_WORKING_DAYS)
    assert sorted(notes("evaluation_reminder")) == evaluators
    assert sweep(on)["evaluation_reminded"] == 0 and len(notes("evaluation_reminder")) == 2  # once only

    counts = sweep(r.evaluation_due + ONE_DAY)
    assert counts["closed_without_feedback"] == 1
    assert (r.state, r.evaluation, r.current_due) == (State.CLOSED, Evaluation.NO_FEEDBACK, None)
    assert r.events[-1].action == "close_without_feedback" and r.events[-1].actor_id is None
    assert sorted(notes("closed_no_feedback")) == sorted(evaluators + [(world.contact.id, link)])
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.seq)).all()
    assert "referral.evaluation_reminder" in actions and "referral.close_without_feedback" in actions
    assert verify().ok


def test_keyset_batches_reach_every_row_and_the_acting_side(world, monkeypatch):
    monkeypatch.setattr(jobs, "BATCH", 2)
    referrals = [sent(world, title=f"事项{i}") for i in range(5)]
    report = services.create_referral(actor=world.contact, rtype=rtype("work_report"), receiver=world.npc,
                                      title="工作情况报告", body="报告")
    services.send(report, actor=world.contact)
    commit()
    counts = sweep(max(r.ack_due for r in [*referrals, report]) + ONE_DAY)
    assert counts["overdue"] == 6
    assert sorted(notes("overdue")) == sorted([(world.contact.id, f"/referrals/{r.id}") for r in referrals]
                                              + [(world.staff.id, f"/referrals/{report.id}")])


def test_reports_waiting_for_resubmission_remind_the_procuratorate(world):
    report = services.create_referral(actor=world.contact, rtype=rtype("special_work_report"), receiver=world.npc,
                                      title="专项工作报告", body="报告")
    services.send(report, actor=world.contact)
    report_services.receive(report, actor=world.staff)
    report_services.schedule(report, actor=world.staff, session_date=today() + dt.timedelta(days=30))
    again = report_services.vote(report, actor=world.staff, votes_for=1, against=5, abstain=0)
    commit()
    assert again.state is State.DRAFT and again.current_due
    assert sweep(again.current_due + ONE_DAY)["overdue"] == 1
    assert notes("overdue") == [(world.contact.id, f"/referrals/{again.id}")]


def test_sweep_command(world, runner):
    sent(world)
    result = runner.invoke(args=["referrals", "sweep"])
    assert result.exit_code == 0, result.output
    assert "due_soon 1" in result.output
    assert len(notes("due_soon")) == 1


# --- the scheduler -------------------------------------------------------------------------------

def test_a_real_background_scheduler_runs_the_sweep(world, app, runner):
    from oversight import scheduler as oversight_scheduler

    sent(world)
    scheduler = oversight_scheduler.build(app)
    try:
        scheduler.start(paused=True)
        job = scheduler.get_job(oversight_scheduler.DEADLINE_SWEEP)
        assert job.func_ref == "oversight.referrals.jobs:run_deadline_sweep"
        assert (job.trigger.fields[5].name, str(job.trigger.fields[5]), str(job.trigger.fields[6])) == ("hour", "6", "30")
        assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, 3600)
        scheduler.modify_job(job.id, next_run_time=dt.datetime.now(dt.timezone.utc))
        scheduler.resume()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            done = bool(notes("due_soon"))
            db.session.rollback()  # hold no lock while the job works, and see its commit next time
            if done:
                break
            time.sleep(0.1)
        assert len(notes("due_soon")) == 1
        db.session.rollback()
        # The job store's table is APScheduler's: `flask db check` does not ask to drop it.
        assert "apscheduler_jobs" in sa.inspect(db.engine).get_table_names()
        result = runner.invoke(args=["db", "check"])
        assert result.exit_code == 0, result.output
    finally:
        if scheduler.running:
            scheduler.remove_all_jobs()
            scheduler.shutdown()
        db.session.rollback()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS apscheduler_jobs")


def test_restarting_the_scheduler_keeps_one_copy_of_each_job(app):
    from oversight import scheduler as oversight_scheduler

    try:
        for _ in range(2):
            scheduler = oversight_scheduler.build(app)
            scheduler.start(paused=True)
            assert sorted(j.id for j in scheduler.get_jobs()) == sorted(job_id for job_id, *_ in oversight_scheduler.JOBS)
            assert oversight_scheduler.DEADLINE_SWEEP in {j.id for j in scheduler.get_jobs()}
            scheduler.shutdown()
    finally:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS apscheduler_jobs")


@pytest.mark.parametrize("run_main, command, reload, expected", [
    ("true", None, None, True),       # the reloader's child serves
    (None, "run", True, False),       # the reloader's parent only watches
    (None, "run", False, True),       # plain `flask run`
    (None, "other", None, False),     # `flask db upgrade`, `flask scheduler run`, …
    (None, None, None, True),         # imported by a WSGI server
])
def test_in_process_scheduler_starts_only_where_requests_are_served(monkeypatch, run_main, command, reload,
                                                                    expected):
    import click
    from flask.cli import run_command

    from oversight import scheduler as oversight_scheduler

    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    if run_main is None:
        monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    else:
        monkeypatch.setenv("WERKZEUG_RUN_MAIN", run_main)
    if command is None:
        assert oversight_scheduler._serving_process() is expected
        return
    cmd = run_command if command == "run" else click.Command("other")
    with click.Context(cmd, info_name=command) as ctx:
        ctx.params["reload"] = reload
        assert oversight_scheduler._serving_process() is expected


def test_no_scheduler_inside_tests(database_urls, tmp_path):
    from oversight import create_app
    from oversight import scheduler as oversight_scheduler

    create_app({"TESTING": True, "SCHEDULER_IN_PROCESS": True, "SECRET_KEY": "x",
                "SQLALCHEMY_DATABASE_URI": database_urls["sqlite"], "UPLOAD_FOLDER": str(tmp_path)})
    assert oversight_scheduler._in_process is None
