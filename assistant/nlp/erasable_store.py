"""SQL tracker store that can really forget a conversation, and answers a
long one without rebuilding it every turn.

Rasa 3.6 has no way to delete a tracker. When the latest turn ran
``action_delete_my_data``, saving that turn instead deletes every stored event
of the sender, in SQLite and PostgreSQL alike.

Rasa's SQL store rebuilds the tracker from every event of the session on each
message: a third of the server's time by turn 100 (`make profile`). The store
keeps the trackers it saved last and hands one back while the database still
holds exactly what was saved (same count, highest event id and latest
timestamp: one indexed query) and nobody changed it since. Anything else (another server
wrote to the conversation, a purge, an unsaved turn, a new session) rebuilds
it from the database as before.
"""

from __future__ import annotations

import itertools
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, List, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.orm import sessionmaker

ACTION_DELETE_MY_DATA = "action_delete_my_data"

# Events of the trackers kept in memory per server, least recently used out
# first. A stored event takes about 2.3 KB in memory (a 100-turn conversation:
# 1,400 events, 3.3 MB), so this is about 115 MB at most.
CACHED_EVENTS = 50_000


def erase_requested(events: Iterable[Event]) -> bool:
    """True when the latest user turn ended in the delete-my-data action."""
    for event in reversed(list(events)):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name == ACTION_DELETE_MY_DATA:
            return True
    return False


@dataclass
class Saved:
    tracker: DialogueStateTracker
    length: int  # len(tracker.events) when it was saved
    stored: Tuple[Any, ...]  # stored_state() after saving


class ErasableSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._saved: OrderedDict[str, Saved] = OrderedDict()
        # After a database restart every pooled connection is dead; Rasa's
        # engine would fail the first turn on each. Test a connection before
        # each use instead, so the servers recover by themselves.
        stale, url = self.engine, self.engine.url
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sessionmaker(bind=self.engine)
        stale.dispose()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        saved = self._saved.pop(sender_id, None)
        if saved and len(saved.tracker.events) == saved.length and saved.stored == self.stored_state(sender_id):
            self._saved[sender_id] = saved
            return saved.tracker
        return await super().retrieve(sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        if erase_requested(tracker.events):
            self.delete(tracker.sender_id)
            return
        await super().save(tracker)
        self._saved.pop(tracker.sender_id, None)
        # A tracker that started a new session this turn still carries the old
        # one; the database answers with the new session only, so rebuild once.
        if sum(isinstance(e, SessionStarted) for e in tracker.events) <= 1:
            self._saved[tracker.sender_id] = Saved(tracker, len(tracker.events), self.stored_state(tracker.sender_id))
            while sum(saved.length for saved in self._saved.values()) > CACHED_EVENTS:
                self._saved.popitem(last=False)

    def unsaved_events(self, tracker: DialogueStateTracker) -> List[Event] | None:
        """Events of the tracker this store handed out that are not stored
        yet; None for any other tracker.

        Rasa finds them by counting the stored events of the session, which
        leaves out the `action_session_start` just before the session's start
        mark, while a tracker that never left memory still holds it: counting
        would store the last event of the previous turn a second time."""
        saved = self._saved.get(tracker.sender_id)
        if saved is None or saved.tracker is not tracker:
            return None
        return list(itertools.islice(tracker.events, saved.length, None))

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        unsaved = self.unsaved_events(tracker)
        return iter(unsaved) if unsaved is not None else super()._additional_events(session, tracker)

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        unsaved = self.unsaved_events(tracker)
        if unsaved is None or self.event_broker is None:
            await super().stream_events(tracker)
            return
        await self._stream_new_events(self.event_broker, unsaved, tracker.sender_id)

    def stored_state(self, sender_id: str) -> Tuple[Any, ...]:
        """How many events the database holds for `sender_id`, the highest id
        and the latest timestamp: appended, deleted and re-dated events all
        change it."""
        with self.session_scope() as session:
            return tuple(
                session.query(
                    sa.func.count(self.SQLEvent.id), sa.func.max(self.SQLEvent.id), sa.func.max(self.SQLEvent.timestamp)
                )
                .filter(self.SQLEvent.sender_id == sender_id)
                .one()
            )

    def delete(self, sender_id: str) -> int:
        """Delete every stored event of one conversation; returns the count."""
        self._saved.pop(sender_id, None)
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
