"""`make purge`: delete conversations older than RETENTION_DAYS (default 30).

Uses the same tracker-store settings as the server (TRACKER_* variables).
"""

from __future__ import annotations

import os
import sys

from rasa.shared.core.domain import Domain

from assistant.nlp.erasable_store import ErasableSQLTrackerStore
from assistant.tools.servers import base_env


def main() -> int:
    env = base_env()
    days = float(env.get("RETENTION_DAYS", "30"))
    store = ErasableSQLTrackerStore(
        Domain.empty(),
        dialect=env["TRACKER_DIALECT"],
        host=env["TRACKER_HOST"] or None,
        db=env["TRACKER_DB"],
        username=env["TRACKER_USER"] or None,
        password=env["TRACKER_PASSWORD"] or None,
    )
    deleted = store.purge_older_than(days)
    print(f"Deleted {deleted} stored events from conversations idle for more than {days:g} days.")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    sys.exit(main())
