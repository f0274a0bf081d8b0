"""With SMTP configured, invitation e-mails carry the meeting's .ics (text/calendar; method=REQUEST) and a
cancellation carries it as CANCEL — sent to a real (tiny, local) SMTP server after the commit."""
from __future__ import annotations

import email
import socket
import threading
from email import policy

import pytest
from icalendar import Calendar

from liaison.meetings import services as meetings
from liaison.meetings.workflow import Response
from oversight.db import commit, db

from .liaison_fixtures import cast, make_meeting  # noqa: F401  (fixtures)


class SmtpSink:
    """Enough of SMTP (RFC 5321) for smtplib: one thread, one connection at a time, messages kept."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.messages: list[email.message.EmailMessage] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            with conn, conn.makefile("rb") as reader:
                conn.sendall(b"220 sink ESMTP\r\n")
                while line := reader.readline():
                    verb = line[:4].upper()
                    if verb in (b"EHLO", b"HELO"):
                        conn.sendall(b"250-sink\r\n250 8BITMIME\r\n")
                    elif verb == b"DATA":
                        conn.sendall(b"354 go on\r\n")
                        data = b""
                        while (chunk := reader.readline()) not in (b".\r\n", b""):
                            data += chunk[1:] if chunk.startswith(b"..") else chunk
                        self.messages.append(email.message_from_bytes(data, policy=policy.default))
                        conn.sendall(b"250 queued\r\n")
                    elif verb == b"QUIT":
                        conn.sendall(b"221 bye\r\n")
                        break
                    else:   # MAIL FROM, RCPT TO, RSET, NOOP
                        conn.sendall(b"250 ok\r\n")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def sink(app):
    server = SmtpSink()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_FROM="liaison@example.org")
    yield server
    app.config.update(MAIL_SERVER="")
    server.close()


def _calendar_part(message):
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, [p.get_content_type() for p in message.iter_parts()]
    return parts[0]


def _wait(sink, n: int) -> None:
    for _ in range(200):
        if len(sink.messages) >= n:
            return
        threading.Event().wait(0.02)
    raise AssertionError(f"{len(sink.messages)} of {n} messages arrived")


def test_invitation_mail_carries_the_ics_request_and_cancellation_a_cancel(cast, make_meeting, sink):
    cast.contact.email, cast.staff2.email = "contact@example.org", "staff2@example.org"
    m = make_meeting(agenda=["通报移送事项办理情况"])
    commit()
    meetings.invite(m, actor=cast.staff, users=[cast.contact, cast.staff2])
    assert sink.messages == []   # nothing leaves before the commit
    commit()
    _wait(sink, 2)
    assert {msg["To"] for msg in sink.messages} == {"contact@example.org", "staff2@example.org"}
    part = _calendar_part(sink.messages[0])
    assert part.get_param("method") == "REQUEST" and part.get_filename() == "invitation.ics"
    cal = Calendar.from_ical(part.get_content().encode() if isinstance(part.get_content(), str) else part.get_content())
    assert cal["METHOD"] == "REQUEST"
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == m.uid and int(event["SEQUENCE"]) == m.sequence
    assert str(event["DTSTART"].dt.tzinfo) == "Asia/Shanghai"

    meetings.respond(m.invitations[0], actor=cast.contact, response=Response.DECLINED, reason="出差")
    meetings.cancel(m, actor=cast.staff, reason="议题调整")
    commit()
    _wait(sink, 3)   # only the one who has not declined hears of the cancellation
    cancelled = [msg for msg in sink.messages[2:]]
    assert [msg["To"] for msg in cancelled] == ["staff2@example.org"]
    part = _calendar_part(cancelled[0])
    assert part.get_param("method") == "CANCEL"
    raw = part.get_content()
    cal = Calendar.from_ical(raw.encode() if isinstance(raw, str) else raw)
    (event,) = cal.walk("VEVENT")
    assert cal["METHOD"] == "CANCEL" and str(event["STATUS"]) == "CANCELLED" and str(event["UID"]) == m.uid
    assert int(event["SEQUENCE"]) > 0


def test_without_smtp_no_mail_and_no_ics_is_built(app, cast, make_meeting):
    assert not app.config.get("MAIL_SERVER")
    assert meetings.calendar_file(make_meeting()) == ()
    db.session.rollback()
