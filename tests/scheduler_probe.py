"""A job for the two-scheduler test: notes which process ran it, and when."""
from __future__ import annotations

import os
import time


def tick() -> None:
    with open(os.environ["SCHEDULER_PROBE_FILE"], "a") as out:
        out.write(f"{os.getpid()} {time.time():.3f}\n")
