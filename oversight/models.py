"""Imports every model module so that metadata (and Alembic's autogenerate) sees all tables."""
from .accounts.models import DeputyProfile, Role, User, UserRole  # noqa: F401
from .audit.models import AuditEntry, AuditHead  # noqa: F401
from .notifications.models import Notification  # noqa: F401
from .orgs.models import Organisation  # noqa: F401
from .workdays.models import CalendarDay, CalendarNotice  # noqa: F401
from .attachments.models import Attachment  # noqa: F401
from .lockdown import EmergencyLock  # noqa: F401
from .supervision.models import Alert, ModelRun, SupervisionModel  # noqa: F401
from .referrals.models import Referral, ReferralEvent, ReferralMessage, ReferralType, SerialCounter  # noqa: F401
from .clues.models import Clue, RateEvent, UsedChallenge  # noqa: F401


# The packages built on `oversight` register their models by import path (as BLUEPRINTS do), so that
# `oversight` never imports them by name and Alembic still sees every table.
MODEL_MODULES = ["issues.models", "reports.models", "liaison.registry.models", "liaison.meetings.models",
                 "liaison.minutes.models", "liaison.exchanges.models", "reports.publications.models",
                 "reports.evaluation.models"]
for _module in MODEL_MODULES:
    __import__(_module)
