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
it from the database as before. With RASA_STOCK=true nothing is kept: every
turn rebuilds its tracker, as Rasa's store does.

Writes are fenced (assistant/nlp/fencing.py): under the cluster's lock store
a turn claims its conversation in `conversation_fences` before it reads, and
stores its events only if no later turn has claimed it since, in the same
transaction. The events go to the event broker after they are committed, each
with its row id (`stored_event_id`), so the statistics can count each once.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, List, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import sessionmaker

from assistant.nlp import diary_links, fencing, layer, reminder_jobs

logger = logging.getLogger(__name__)

ACTION_DELETE_MY_DATA = "action_delete_my_data"

# Events of the trackers kept in memory per server, least recently used out
# first. A stored event takes about 2.3 KB in memory (a 100-turn conversation:
# 1,400 events, 3.3 MB), so this is about 115 MB at most.
CACHED_EVENTS = 50_000

# The key of each published event that names its row in `events`.
STORED_ID = "stored_event_id"

FENCES = sa.Table(
    "conversation_fences",
    sa.MetaData(),
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("epoch", sa.BigInteger, nullable=False),
    sa.Column("claimed_at", sa.Float, nullable=False),
)
# One statement, valid in PostgreSQL and SQLite: a new number for this turn.
_CLAIM = sa.text(
    "INSERT INTO conversation_fences (sender_id, epoch, claimed_at) VALUES (:sender_id, 1, :now) "
    "ON CONFLICT (sender_id) DO UPDATE SET epoch = conversation_fences.epoch + 1, claimed_at = excluded.claimed_at "
    "RETURNING epoch"
)


def erase_requested(events: Iterable[Event]) -> bool:
    """True when the latest user turn ended in the delete-my-data action."""
    for event in reversed(list(events)):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name == ACTION_DELETE_MY_DATA:
            return True
    return False


class StoredEventsBroker:
    """The event broker as this store hands it on: it publishes only events
    the store committed (they carry their row id). When a save fails, Rasa's
    FailSafeTrackerStore saves the tracker in an in-memory store that it
    builds with this same broker; what that one would publish was never
    stored, and is dropped. Everything else goes to the real broker."""

    def __init__(self, broker: Any) -> None:
        self.broker = broker

    def publish(self, event: dict, *args: Any, **kwargs: Any) -> None:
        if STORED_ID in event:
            self.broker.publish(event, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.broker, name)


@dataclass
class Saved:
    tracker: DialogueStateTracker
    length: int  # len(tracker.events) when it was saved
    stored: Tuple[Any, ...]  # stored_state() after saving


class ErasableSQLTrackerStore(SQLTrackerStore):
    # Set by SQLTrackerStore (untyped); replaced below.
    event_broker: Any
    engine: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.event_broker is not None:
            self.event_broker = StoredEventsBroker(self.event_broker)
        self._saved: OrderedDict[str, Saved] = OrderedDict()
        # After a database restart every pooled connection is dead; Rasa's
        # engine would fail the first turn on each. Test a connection before
        # each use instead, so the servers recover by themselves.
        stale, url = self.engine, self.engine.url
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sessionmaker(bind=self.engine)
        stale.dispose()
        for table in (FENCES, diary_links.LINKS):
            try:
                table.metadata.create_all(self.engine)
            except (sa.exc.ProgrammingError, sa.exc.IntegrityError):
                table.metadata.create_all(self.engine)  # another server created it at the same moment
        reminder_jobs.create_tables(self.engine)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        hold = fencing.current(sender_id)
        saved = self._saved.pop(sender_id, None)
        if saved and len(saved.tracker.events) != saved.length:
            saved = None  # changed since it was saved: a turn that failed
        try:
            if saved and hold is not None and hold.has_read:
                # Read once in this turn already: only this turn can have
                # written to the conversation since (assistant/nlp/fencing.py).
                self._saved[sender_id] = saved
                return saved.tracker
            with self.session_scope() as session:
                claim = self._read_fence(session, hold)
                stored = self._stored_state(session, sender_id) if saved and not claim else None
            if claim and hold is not None:
                self._claim(hold)
                stored = self.stored_state(sender_id) if saved else None  # after a write the claim waited for
            if hold is not None:
                hold.has_read = True
            if saved and saved.stored == stored:
                self._saved[sender_id] = saved
                return saved.tracker
            return await super().retrieve(sender_id)
        except Exception:
            # Rasa's FailSafeTrackerStore answers a failed read with "no
            # conversation yet": a turn built on that must not be stored.
            if hold is not None:
                hold.lose("reading the conversation failed")
            raise

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the tracker's new events (fenced), then publish them."""
        sender_id = tracker.sender_id
        hold = fencing.current(sender_id)
        if hold is not None and hold.epoch is None and not hold.lost:
            with self.session_scope() as session:  # a turn that writes without reading first
                claim = self._read_fence(session, hold)
            if claim:
                self._claim(hold)
        if erase_requested(tracker.events):
            self.delete(sender_id)
            return
        # A tracker that started a new session this turn still carries the old
        # one; the database answers with the new session only, so rebuild once.
        keep = not layer.stock() and sum(isinstance(e, SessionStarted) for e in tracker.events) <= 1
        with self.session_scope() as session:
            self._check_fence(session, hold)
            events = list(self._additional_events(session, tracker))
            rows = [self._row(sender_id, event) for event in events]
            session.add_all(rows)
            diary_links.record(session, sender_id, events)
            session.flush()
            stored_ids = [row.id for row in rows]
            stored = self._stored_state(session, sender_id) if keep else None
            session.commit()
        if self.event_broker is not None:
            for event, stored_id in zip(events, stored_ids, strict=True):
                self.event_broker.publish({"sender_id": sender_id, **event.as_dict(), STORED_ID: stored_id})
        self._schedule(sender_id, events)
        self._saved.pop(sender_id, None)
        if keep and stored is not None:
            self._saved[sender_id] = Saved(tracker, len(tracker.events), stored)
            while sum(saved.length for saved in self._saved.values()) > CACHED_EVENTS:
                self._saved.popitem(last=False)

    @staticmethod
    def _schedule(sender_id: str, events: List[Event]) -> None:
        """A turn that set, changed or stopped a reminder: the scheduler's
        table follows, once the turn is stored."""
        is_set, value = reminder_jobs.changed(events)
        if not is_set:
            return
        if reminder_jobs.Reminders.running is None:
            logger.warning("A reminder was set on a server without the Telegram channel; it is kept but not scheduled.")
            return
        reminder_jobs.Reminders.running.apply(sender_id, value)

    def _row(self, sender_id: str, event: Event) -> Any:
        """An `events` row as Rasa's SQL store writes it."""
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )

    def _fence_number(self, session: Any, sender_id: str, lock: bool = False) -> int | None:
        query = sa.select(FENCES.c.epoch).where(FENCES.c.sender_id == sender_id)
        if lock and self.engine.dialect.name == "postgresql":
            # The row lock: a claim made meanwhile waits for this transaction.
            query = query.with_for_update()
        return session.execute(query).scalar_one_or_none()

    def _read_fence(self, session: Any, hold: fencing.Hold | None) -> bool:
        """The first time in a turn, before it reads: after a clean turn, the
        fence number in force is the one it writes under. True when the turn
        must claim instead (the turn before may still write, or there is no
        number yet)."""
        if hold is None or hold.epoch is not None or hold.lost:
            return False
        if not hold.must_claim:
            try:
                hold.epoch = self._fence_number(session, hold.conversation_id)
            except sa.exc.SQLAlchemyError:
                logger.exception("Could not read a conversation's fence; the turn will not be stored.")
                hold.lose("its claim on the conversation failed")
                return False
        return hold.epoch is None

    def _claim(self, hold: fencing.Hold) -> None:
        """A new fence number for the conversation, committed before the turn
        reads anything. A claim that fails loses the hold (the turn's writes
        are then refused); the read goes on."""
        try:
            with self.session_scope() as session:
                if self.engine.dialect.name == "postgresql":
                    # A write in flight from a server that lost the turn holds the
                    # row: wait for it (it is one short transaction), not for ever.
                    session.execute(sa.text("SET LOCAL lock_timeout = '5s'"))
                hold.epoch = int(session.execute(_CLAIM, {"sender_id": hold.conversation_id, "now": time.time()}).scalar_one())
                session.commit()
        except sa.exc.SQLAlchemyError:
            logger.exception("Could not claim a conversation for its turn; the turn will not be stored.")
            hold.epoch = None
            hold.lose("its claim on the conversation failed")

    def _check_fence(self, session: Any, hold: fencing.Hold | None) -> None:
        """In the writing transaction: the turn still owns the conversation
        (row-locked until the commit), or LeaseLost and nothing is written."""
        if hold is None:
            return
        if not hold.lost:
            if hold.epoch is not None and self._fence_number(session, hold.conversation_id, lock=True) == hold.epoch:
                return
            hold.lose("a later turn claimed the conversation")
        session.rollback()
        hold.refused = True
        self._saved.pop(hold.conversation_id, None)
        raise fencing.LeaseLost(f"The turn's events were not stored: {hold.lost_reason}.")

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

    def stored_state(self, sender_id: str) -> Tuple[Any, ...]:
        """How many events the database holds for `sender_id`, the highest id
        and the latest timestamp: appended, deleted and re-dated events all
        change it."""
        with self.session_scope() as session:
            return self._stored_state(session, sender_id)

    def _stored_state(self, session: Any, sender_id: str) -> Tuple[Any, ...]:
        return tuple(
            session.query(
                sa.func.count(self.SQLEvent.id), sa.func.max(self.SQLEvent.id), sa.func.max(self.SQLEvent.timestamp)
            )
            .filter(self.SQLEvent.sender_id == sender_id)
            .one()
        )

    def delete(self, sender_id: str) -> int:
        """Delete every stored event of one conversation, and its fence row;
        returns the count of events. Fenced like a save within a turn."""
        self._saved.pop(sender_id, None)
        with self.session_scope() as session:
            self._check_fence(session, fencing.current(sender_id))
            count = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).delete()
            session.execute(FENCES.delete().where(FENCES.c.sender_id == sender_id))
            diary_links.forget(session, sender_id)
            reminder_jobs.forget(session, sender_id)
            session.commit()
        return count

    def link_owner(self, token: str) -> str | None:
        """The conversation a live diary download link belongs to."""
        with self.session_scope() as session:
            return diary_links.owner(session, token)

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
                diary_links.forget(session, sender)
                reminder_jobs.forget(session, sender)
            session.execute(FENCES.delete().where(FENCES.c.claimed_at < cutoff))
            session.commit()
        return count
