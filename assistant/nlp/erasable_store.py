"""SQL tracker store that can really forget a conversation.

Rasa 3.6 has no way to delete a tracker. When the latest turn ran
``action_delete_my_data``, saving that turn instead deletes every stored event
of the sender, in SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import time
from typing import Iterable

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

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
        import sqlalchemy as sa

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
