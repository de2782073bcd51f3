"""SQL tracker store that can really forget a conversation.

Rasa 3.6 has no way to delete a tracker. When the latest turn ran
``action_delete_my_data``, saving that turn instead deletes every stored event
of the sender, in SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import time
from typing import Any, Iterable

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import ActionExecuted, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.orm import sessionmaker

ACTION_DELETE_MY_DATA = "action_delete_my_data"


def erase_requested(events: Iterable[Event]) -> bool:
    """True when the latest user turn ended in the delete-my-data action."""
    for event in reversed(list(events)):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name == ACTION_DELETE_MY_DATA:
            return True
    return False


class ErasableSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # After a database restart every pooled connection is dead; Rasa's
        # engine would fail the first turn on each. Test a connection before
        # each use instead, so the servers recover by themselves.
        stale, url = self.engine, self.engine.url
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sessionmaker(bind=self.engine)
        stale.dispose()

    async def save(self, tracker: DialogueStateTracker) -> None:
        if erase_requested(tracker.events):
            self.delete(tracker.sender_id)
            return
        await super().save(tracker)

    def delete(self, sender_id: str) -> int:
        """Delete every stored event of one conversation; returns the count."""
        with self.session_scope() as session:
            count = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).delete()
            session.commit()
        return count

    def purge_older_than(self, days: float) -> int:
        """Delete conversations whose latest event is older than `days`."""
        cutoff = time.time() - days * 86400
        with self.session_scope() as session:
            stale = (
                session.query(self.SQLEvent.sender_id)
                .group_by(self.SQLEvent.sender_id)
                .having(sa.func.max(self.SQLEvent.timestamp) < cutoff)
            )
            senders = [row[0] for row in stale]
            count = 0
            for sender in senders:
                count += session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender).delete()
            session.commit()
        return count
