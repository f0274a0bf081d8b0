"""The hourly clean-up of the clue form's protection tables (old rate events, expired challenges)."""
from __future__ import annotations

from ..db import commit
from . import protection


def purge() -> dict[str, int]:
    events, challenges = protection.purge()
    return {"rate_events": events, "challenges": challenges}


def run_purge() -> dict[str, int]:
    """Scheduler entry point (referenced as "oversight.clues.jobs:run_purge")."""
    from ..scheduler import job_app

    app = job_app()
    with app.app_context():
        counts = purge()
        commit()
        app.logger.info("clue protection purge: %s", counts)
    return counts
