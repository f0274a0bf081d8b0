"""Every change to a referral, one function per use case, split by sub-feature. Each: check the
workflow and the actor → change state → timeline event → audit entry → notifications → flush.
Nothing here commits. The procuratorate → NPC direction's use cases live in `report_services.py`.

Everything is re-exported here, so callers keep writing `services.send(...)`.
"""
from ...errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from .evaluation import close_without_feedback, evaluate
from .handling import (accept, acknowledge, assign, decide_extension, reply, request_extension,
                       return_referral)
from .messages import post_message, record_export
from .referral_types import PERIOD_LIMITS, TYPE_FIELDS, update_type
from .sending import archive, create_referral, next_serial, resend, send, urge, withdraw
from .suggestions import convert_to_letter, record_consultation
from .transitions import (MAX_TEXT, MAX_TITLE, _heading, _receiver_staff, _sender_staff, _tell, _text, apply,
                          check, recipients)

__all__ = [
    "Conflict", "InvalidTransition", "NotAllowed", "ValidationFailed",  # the errors, as callers catch them
    "MAX_TEXT", "MAX_TITLE", "PERIOD_LIMITS", "TYPE_FIELDS", "accept", "acknowledge", "apply", "archive", "assign",
    "check", "close_without_feedback", "convert_to_letter", "create_referral", "decide_extension", "evaluate",
    "next_serial", "post_message", "recipients", "record_consultation", "record_export", "reply",
    "request_extension", "resend", "return_referral", "send", "update_type", "urge", "withdraw",
    # helpers the deadline sweep and report_services share
    "_heading", "_receiver_staff", "_sender_staff", "_tell", "_text",
]
