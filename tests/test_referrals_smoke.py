import sqlalchemy as sa

from oversight.audit.services import verify
from oversight.db import commit, db
from oversight.referrals import services
from oversight.referrals.models import ReferralType
from oversight.referrals.workflow import Evaluation, Outcome, State


def test_round_trip(world, make_user):
    from oversight.accounts.models import Role

    handler = make_user("handler", world.dept, roles={Role.PROCURATORATE_HANDLER})
    rtype = db.session.scalar(sa.select(ReferralType).where(ReferralType.code == "inspection_finding"))
    r = services.create_referral(actor=world.staff, rtype=rtype, receiver=world.proc, title="某问题", body="情况说明")
    commit()
    services.send(r, actor=world.staff); commit()
    assert r.serial.startswith("SRD-") and r.state is State.SENT and r.ack_due
    services.acknowledge(r, actor=world.contact); commit()
    services.accept(r, actor=world.contact, procedural_reply="已受理"); commit()
    services.assign(r, actor=world.contact, department=world.dept, handler=handler); commit()
    services.reply(r, actor=handler, outcome=Outcome.IN_PROGRESS, text="正在办理"); commit()
    services.evaluate(r, actor=world.staff, evaluation=Evaluation.DISSATISFIED, reasons="措施不具体"); commit()
    assert r.state is State.IN_PROGRESS and r.round == 2
    services.reply(r, actor=handler, outcome=Outcome.RESOLVED, text="已整改"); commit()
    services.evaluate(r, actor=world.staff, evaluation=Evaluation.BASICALLY_SATISFIED); commit()
    assert r.state is State.CLOSED
    assert [e.action for e in r.events] == ["send", "acknowledge", "accept", "assign", "reply", "evaluate", "reply", "evaluate"]
    assert verify().ok
