"""`make soak` (deploy/soak.py): the embedded default with beat on short schedules.

Everything else is `local.py` as `make run` uses it: SQLite, the filesystem broker, the mailbox.
"""

from __future__ import annotations

from .local import *  # noqa: F403
from .local import CELERY_BEAT_SCHEDULE, env

# Every periodic task at least this often, so an hour's soak runs each one many times.
SOAK_BEAT_SECONDS = env.float("SOAK_BEAT_SECONDS", default=15.0)
for _entry in CELERY_BEAT_SCHEDULE.values():
    _entry["schedule"] = min(float(_entry["schedule"]), SOAK_BEAT_SECONDS)
    _entry["options"] = {**_entry.get("options", {}), "expires": _entry["schedule"]}
