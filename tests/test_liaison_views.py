"""The liaison pages: login and scope, the acceptance list's bad input answered in Chinese with
nothing saved, the calendar, the .ics download and the public token-checked feed, the registry,
minutes and action items through POST, and exchange activities."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from icalendar import Calendar

from liaison.meetings.models import Invitation, Meeting
from liaison.meetings.workflow import Response
from liaison.minutes.models import ActionItem, Minutes
from liaison.exchanges.models import ExchangeActivity, ExchangeParticipant
from liaison.registry.models import LiaisonDesignation
from oversight.db import db
from oversight.workdays import today
from oversight.referrals.models import Referral, ReferralType

from .conftest import text_of
from .liaison_fixtures import at, cast, make_meeting  # noqa: F401  (fixtures)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


MEETING = {"kind": "liaison_meeting", "title": "第四季度联络会议", "starts_at": "2026-12-10T09:00",
           "ends_at": "2026-12-10T11:00", "place": "第一会议室", "agenda": "议题一\n议题二\n议题三"}


def test_pages_need_login_and_a_liaison_role(client, cast, login, make_meeting):
    m = make_meeting()
    assert client.get("/liaison/meetings/").status_code == 302
    login(cast.world.admin)
    assert client.get("/liaison/meetings/").status_code == 403
    client.post("/logout")
    login(cast.d_staff)  # a district committee does not see the city's meeting
    assert client.get(f"/liaison/meetings/{m.id}").status_code == 404
    assert client.get(f"/liaison/meetings/{m.id}/invitation.ics").status_code == 404


def test_schedule_through_the_form_with_three_agenda_items(client, cast, login):
    login(cast.staff)
    response = client.post("/liaison/meetings/new", data={**MEETING, "counterpart": cast.world.proc.id})
    assert response.status_code == 302
    m = db.session.scalar(sa.select(Meeting))
    assert [a.title for a in m.agenda] == ["议题一", "议题二", "议题三"]
    assert m.starts_at == at(10, 9)  # typed in Beijing time, stored in UTC
    page = text_of(client.get(f"/liaison/meetings/{m.id}"))
    assert "2026-12-10 09:00" in page and "议题三" in page


def test_meeting_ending_before_it_starts_is_refused_in_chinese(client, cast, login):
    login(cast.staff)
    response = client.post("/liaison/meetings/new", data={**MEETING, "ends_at": "2026-12-10T08:00",
                                                          "counterpart": cast.world.proc.id})
    assert response.status_code == 422
    assert "会议结束时间必须晚于开始时间。" in text_of(response)
    assert count(Meeting) == 0


def test_invitee_outside_both_sides_is_refused_and_nobody_invited(client, cast, login, make_meeting):
    m = make_meeting()
    login(cast.staff)
    response = client.post(f"/liaison/meetings/{m.id}/invite",
                           data={"users": [cast.contact.id, cast.outsider.id], "version": m.version})
    assert response.status_code == 422
    assert "外市人员" in text_of(response) and "不属于会议双方" in text_of(response)
    assert count(Invitation) == 0
    response = client.post(f"/liaison/meetings/{m.id}/invite", data={"users": [cast.contact.id], "version": m.version})
    assert response.status_code == 302 and count(Invitation) == 1


def test_rsvp_and_conflict_warning(client, cast, login, make_meeting):
    make_meeting(title="已有会议", invite=[cast.contact])
    m = make_meeting(title="新会议")
    login(cast.staff)
    response = client.post(f"/liaison/meetings/{m.id}/invite", data={"users": [cast.contact.id], "version": m.version},
                           follow_redirects=True)
    assert "时间冲突提醒" in text_of(response) and "已有会议" in text_of(response)
    client.post("/logout")
    login(cast.contact)
    response = client.post(f"/liaison/meetings/{m.id}/rsvp", data={"response": "declined", "reason": ""})
    assert response.status_code == 422 and "谢绝参会请说明理由" in text_of(response)
    assert client.post(f"/liaison/meetings/{m.id}/rsvp", data={"response": "accepted"}).status_code == 302
    assert db.session.scalar(sa.select(Invitation.response).where(Invitation.meeting_id == m.id)) is Response.ACCEPTED


def test_ics_download_and_public_feed(client, cast, login, make_meeting):
    m = make_meeting(invite=[cast.contact])
    login(cast.contact)
    response = client.get(f"/liaison/meetings/{m.id}/invitation.ics")
    assert response.mimetype == "text/calendar"
    (event,) = Calendar.from_ical(response.data).walk("VEVENT")
    assert str(event["UID"]) == m.uid
    response = client.post("/liaison/calendar/feed", follow_redirects=True)
    url = text_of(response).split("旧地址已失效）：")[1].split()[0]
    client.post("/logout")
    feed = client.get(url[url.index("/liaison/feed/"):])
    assert feed.status_code == 200 and m.uid in feed.get_data(as_text=True)
    assert client.get("/liaison/feed/not-the-token.ics").status_code == 404


def test_editing_approved_minutes_is_refused_in_chinese(client, cast, login, make_meeting):
    m = make_meeting(starts_at=at(20, 9, month=11), agenda=["议题一"], invite=[cast.contact])
    login(cast.staff)
    assert client.post(f"/liaison/meetings/{m.id}/hold", data={"version": m.version}).status_code == 302
    assert client.post(f"/liaison/minutes/{m.id}/edit", data={"summary": "概况", f"discussion-{m.agenda[0].id}": "讨论",
                                                              "present": [m.invitations[0].id]}).status_code == 302
    response = client.post(f"/liaison/minutes/{m.id}/decisions", data={
        "text": "检察院报送线索清单", "agenda_item": m.agenda[0].id, "owner_org": cast.world.proc.id, "owner": 0,
        "due_on": "2026-12-31"})
    assert response.status_code == 302
    assert client.post(f"/liaison/minutes/{m.id}/step/open_review").status_code == 302
    assert f"/liaison/minutes/{m.id}/step/approve" not in client.get(f"/liaison/minutes/{m.id}").get_data(as_text=True)
    assert client.post(f"/liaison/minutes/{m.id}/step/approve").status_code == 409  # the window is still open
    minutes = db.session.scalar(sa.select(Minutes).where(Minutes.meeting_id == m.id))
    minutes.review_until = today() - dt.timedelta(days=1)
    db.session.commit()
    assert f"/liaison/minutes/{m.id}/step/approve" in client.get(f"/liaison/minutes/{m.id}").get_data(as_text=True)
    assert client.post(f"/liaison/minutes/{m.id}/step/approve").status_code == 302
    response = client.post(f"/liaison/minutes/{m.id}/edit", data={"summary": "改写"})
    assert response.status_code == 409
    assert "会议纪要已审定并锁定，不能修改；如需更正，请以更正说明附后。" in text_of(response)
    db.session.expire_all()
    assert m.agenda[0].discussion == "讨论"
    assert client.post(f"/liaison/minutes/{m.id}/amendments", data={"text": "更正：漏列一人"}).status_code == 302
    assert client.get(f"/liaison/minutes/{m.id}/minutes.pdf").mimetype == "application/pdf"
    assert client.get(f"/liaison/minutes/{m.id}/minutes.docx").status_code == 200
    item = db.session.scalar(sa.select(ActionItem))
    rtype = db.session.scalar(sa.select(ReferralType).where(ReferralType.code == "inspection_finding"))
    response = client.post(f"/liaison/minutes/items/{item.id}/spawn_referral", data={"rtype": rtype.id, "version": item.version})
    referral = db.session.scalar(sa.select(Referral))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/referrals/{referral.id}")
    assert "检察院报送线索清单" in referral.body
    assert "会议待办事项" in text_of(client.get("/liaison/minutes/items"))


def test_calendar_month_and_list(client, cast, login, make_meeting):
    make_meeting(title="十二月会议", starts_at=at(10, 9), invite=[cast.contact])
    login(cast.contact)
    for view in ("list", "month"):
        page = text_of(client.get(f"/liaison/meetings/?view={view}&month=2026-12"))
        assert "十二月会议" in page and "2026年12月" in page
    assert "十二月会议" not in text_of(client.get("/liaison/meetings/?month=2027-01"))


def test_registry_pages(client, cast, login):
    login(cast.staff)
    npc = cast.world.npc
    assert "尚未指定联络人" in text_of(client.get("/liaison/registry/"))
    response = client.post(f"/liaison/registry/{npc.id}", data={
        "body": cast.world.body.id, "person": cast.staff.id, "contact_role": "primary", "valid_from": today().isoformat(),
        "phone": "023-6000 0001"})
    assert response.status_code == 302
    assert "023-6000 0001" in text_of(client.get("/liaison/registry/"))
    response = client.post(f"/liaison/registry/{npc.id}", data={
        "body": cast.world.body.id, "person": cast.staff2.id, "contact_role": "primary",
        "valid_from": (today() + dt.timedelta(days=60)).isoformat(), "valid_to": (today() + dt.timedelta(days=30)).isoformat()})
    assert response.status_code == 422 and "截止日期不能早于起始日期" in text_of(response)
    assert count(LiaisonDesignation) == 1
    assert client.post(f"/liaison/registry/{cast.world.proc.id}", data={}).status_code == 403


def test_exchange_activity_with_deputy_feedback(client, cast, login):
    login(cast.contact)
    response = client.post("/liaison/exchanges/new", data={
        "kind": "hearing", "title": "邀请人大代表参加检察听证", "partner": cast.world.npc.id,
        "starts_at": "2026-11-20T14:00", "ends_at": "2026-11-20T16:00"})
    assert response.status_code == 302
    a = db.session.scalar(sa.select(ExchangeActivity))
    assert client.post(f"/liaison/exchanges/{a.id}/invite", data={"users": [cast.deputy.id]}).status_code == 302
    client.post("/logout")
    login(cast.deputy)
    assert client.post(f"/liaison/exchanges/{a.id}/respond", data={"answer": "yes"}).status_code == 302
    client.post("/logout")
    login(cast.contact)
    p = db.session.scalar(sa.select(ExchangeParticipant))
    assert client.post(f"/liaison/exchanges/{a.id}/attendance", data={"present": [p.id]}).status_code == 302
    client.post("/logout")
    login(cast.deputy)
    assert client.post(f"/liaison/exchanges/{a.id}/feedback", data={"text": "听证程序规范，建议扩大公开。"}).status_code == 302
    db.session.expire_all()
    assert p.attended and p.feedback.startswith("听证程序规范")
    assert "邀请人大代表参加检察听证" in text_of(client.get("/liaison/meetings/?month=2026-11"))


def test_meeting_documents_through_the_attachment_store(client, cast, login, make_meeting):
    import io

    from oversight.attachments.models import Attachment

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    m = make_meeting(invite=[cast.contact])
    login(cast.contact)  # the other side's liaison may add documents too
    response = client.post(f"/liaison/meetings/{m.id}/documents", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(pdf), "会议材料.pdf")})
    assert response.status_code == 302
    attachment = db.session.scalar(sa.select(Attachment))
    assert (attachment.owner_type, attachment.owner_id) == ("liaison_meetings", m.id)
    assert "会议材料.pdf" in text_of(client.get(f"/liaison/meetings/{m.id}"))
    with client.get(f"/attachments/{attachment.id}") as response:
        assert response.status_code == 200 and response.data == pdf
    client.post("/logout")
    login(cast.d_staff)  # a district committee neither sees the meeting nor its documents
    assert client.get(f"/attachments/{attachment.id}").status_code == 404
    assert client.post(f"/liaison/meetings/{m.id}/documents", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(pdf), "x.pdf")}).status_code == 404


def test_public_feed_carries_no_details_and_ends_with_the_role(client, cast, login, make_meeting):
    from liaison.meetings import services as meeting_services

    m = make_meeting(title="联络会议甲", invite=[cast.contact], agenda=["通报（2026）移送12号办理情况"])
    m.online_url = "https://meet.example/j/123?pwd=geheim"
    declined = make_meeting(title="已谢绝的会议", starts_at=at(11, 9), invite=[cast.contact])
    meeting_services.respond(declined.invitations[0], actor=cast.contact, response=Response.DECLINED, reason="出差")
    db.session.commit()
    login(cast.contact)
    response = client.post("/liaison/calendar/feed")
    assert response.status_code == 200  # shown in the response itself, not flashed into the cookie session
    url = text_of(response).split("旧地址已失效）：")[1].split()[0]
    path = url[url.index("/liaison/feed/"):]
    assert path not in client.get("/liaison/calendar/feed").get_data(as_text=True)
    client.post("/logout")
    data = client.get(path).get_data(as_text=True)
    (event,) = Calendar.from_ical(data).walk("VEVENT")
    assert str(event["UID"]) == m.uid and "联络会议甲" in str(event["SUMMARY"])
    assert "移送12号" not in data and "geheim" not in data and "DESCRIPTION" not in data
    assert str(event["LOCATION"]) == m.place and m.organiser_org.name == event["ORGANIZER"].params["CN"]
    contact = db.session.get(type(cast.contact), cast.contact.id)
    contact.organisation = cast.outsider.organisation  # moved to another city: the old meetings leave the feed
    db.session.commit()
    assert m.uid not in client.get(path).get_data(as_text=True)
    contact.organisation = cast.world.proc
    contact.role_rows.clear()
    db.session.commit()
    assert client.get(path).status_code == 404


def test_conflict_warning_hides_the_title_of_a_meeting_the_viewer_may_not_see(client, cast, login, make_meeting,
                                                                             make_user):
    from oversight.accounts.models import Role

    d_contact = make_user("d_contact", cast.world.d_proc, roles={Role.PROCURATORATE_CONTACT})
    make_meeting(title="市级内部会议", invite=[d_contact, cast.contact])  # the district staff cannot see it
    m = make_meeting(title="区级会议", actor=cast.d_staff, counterpart=cast.world.d_proc)
    login(cast.d_staff)
    response = client.post(f"/liaison/meetings/{m.id}/invite", data={"users": [d_contact.id], "version": m.version},
                           follow_redirects=True)
    text = text_of(response)
    assert "时间冲突提醒" in text and "该时段另有安排" in text and "市级内部会议" not in text
    client.post("/logout")
    n = make_meeting(title="新会议", invite=[cast.contact, cast.deputy])
    login(cast.deputy)  # an invited deputy sees that the contact is busy, not with what
    text = text_of(client.get(f"/liaison/meetings/{n.id}"))
    assert "该时段另有安排" in text and "市级内部会议" not in text


def test_draft_minutes_are_the_organisers_until_review(client, cast, login, make_meeting):
    from liaison.minutes import services as minutes_services

    m = make_meeting(starts_at=at(20, 9, month=11), invite=[cast.contact])
    login(cast.staff)
    assert client.post(f"/liaison/meetings/{m.id}/hold", data={"version": m.version}).status_code == 302
    assert client.get(f"/liaison/minutes/{m.id}").status_code == 200
    client.post("/logout")
    login(cast.contact)
    for path in ("", "/minutes.pdf", "/minutes.docx"):
        assert client.get(f"/liaison/minutes/{m.id}{path}").status_code == 404
    minutes = db.session.scalar(sa.select(Minutes).where(Minutes.meeting_id == m.id))
    minutes_services.open_review(minutes, actor=cast.staff)
    db.session.commit()
    assert client.get(f"/liaison/minutes/{m.id}").status_code == 200


def test_internal_meeting_material_stays_with_the_sides_staff(client, cast, login, make_meeting):
    import io

    from oversight.attachments.models import Attachment

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    m = make_meeting(invite=[cast.deputy, cast.staff2])
    login(cast.staff)
    response = client.post(f"/liaison/meetings/{m.id}/documents", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(pdf), "内部材料.pdf"), "internal": "y"})
    assert response.status_code == 302
    attachment = db.session.scalar(sa.select(Attachment))
    assert attachment.internal
    client.post("/logout")
    login(cast.staff2)
    with client.get(f"/attachments/{attachment.id}") as response:
        assert response.status_code == 200
    client.post("/logout")
    login(cast.deputy)  # same side, invited, but not liaison staff
    assert client.get(f"/attachments/{attachment.id}").status_code == 404
    assert "内部材料.pdf" not in text_of(client.get(f"/liaison/meetings/{m.id}"))
