"""Check-in reminders kept in the tracker store's database.

Rasa's own reminders live in its scheduler's memory and are lost on a
restart. Here each person's reminder is an APScheduler job in the
`reminder_jobs` table of the conversations' database (SQLite or
PostgreSQL), written when the turn that set the `reminder` slot is saved and
read again when a server starts, so a reminder that fell due while every
server was down is sent once on start (within MISFIRE_SECONDS).

Every server runs a scheduler on the same table, and APScheduler does not
share a job store between schedulers safely: two may run the same fire, and
one killed mid-fire leaves the job due. So before the message goes out, the
fire is claimed in `reminder_fires` under a key made of the reminder and the
time it fell due; only the server whose insert succeeds sends it. A server
killed between its claim and its send loses that one reminder rather than
sending it twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import time
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable, Iterable

import sqlalchemy as sa
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from rasa.shared.core.events import Event, SlotSet

from assistant.diary.reminders import Schedule, last_due, send_now

logger = logging.getLogger(__name__)

SLOT = "reminder"
JOBS_TABLE = "reminder_jobs"
# A fire missed while the servers were down is still sent this late; after
# that it is skipped, and the next one comes at its time.
MISFIRE_SECONDS = 3600
# How often each server looks at the shared table for reminders that
# another server set or left due (a scheduler otherwise sleeps until its own
# next job).
DEFAULT_POLL_SECONDS = 30.0


def poll_seconds() -> float:
    try:
        return max(0.5, float(os.environ.get("REMINDER_POLL_SECONDS", "") or DEFAULT_POLL_SECONDS))
    except ValueError:
        return DEFAULT_POLL_SECONDS

# One row per reminder sent: its key is the claim.
FIRES = sa.Table(
    "reminder_fires",
    sa.MetaData(),
    sa.Column("fire_key", sa.String(320), primary_key=True),  # "<job id>@<due time>"
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("due_at", sa.Float, nullable=False),
    sa.Column("claimed_at", sa.Float, nullable=False),
)

Send = Callable[[str], Awaitable[None]]


def job_id(sender_id: str) -> str:
    return f"check-in:{sender_id}"


def pseudonym(sender_id: str) -> str:
    """How logs name a conversation: never the chat id itself."""
    return hashlib.sha256(sender_id.encode("utf-8")).hexdigest()[:12]


def job_store(engine: Any) -> SQLAlchemyJobStore:
    return SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)


def create_tables(engine: Any) -> None:
    """The jobs and fires tables, if missing (called by every server)."""
    for table in (job_store(engine).jobs_t, FIRES):
        try:
            table.create(engine, checkfirst=True)
        except (sa.exc.ProgrammingError, sa.exc.IntegrityError, sa.exc.OperationalError):
            table.create(engine, checkfirst=True)  # another server created it at the same moment


def changed(events: Iterable[Event]) -> tuple:
    """(True, the slot's last value) when the events set the reminder slot."""
    found: tuple = (False, None)
    for event in events:
        if isinstance(event, SlotSet) and event.key == SLOT:
            found = (True, event.value)
    return found


def forget(session: Any, sender_id: str) -> None:
    """Within the caller's transaction: the conversation's reminder and its
    fire records go ("delete my data")."""
    jobs = job_store(session.get_bind()).jobs_t
    session.execute(jobs.delete().where(jobs.c.id == job_id(sender_id)))
    session.execute(FIRES.delete().where(FIRES.c.sender_id == sender_id))


class Reminders:
    """The scheduler of one server, and how it sends a check-in."""

    running: Reminders | None = None  # the one a fire finds (jobs are stored as a function name and arguments)

    def __init__(self, engine: Any, send: Send) -> None:
        self.engine, self.send = engine, send
        self.scheduler = AsyncIOScheduler(
            jobstores={"default": job_store(engine), "poll": MemoryJobStore()},
            job_defaults={"coalesce": True, "misfire_grace_time": MISFIRE_SECONDS, "max_instances": 1},
            timezone=timezone.utc,
        )

    def start(self) -> None:
        create_tables(self.engine)
        Reminders.running = self
        self.scheduler.start()
        # Wakes the scheduler to read the shared table: reminders set on
        # another server, or left due by a server that died.
        self.scheduler.add_job(self.scheduler.wakeup, "interval", seconds=poll_seconds(), jobstore="poll", id="poll")

    def stop(self) -> None:
        if Reminders.running is self:
            Reminders.running = None
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def apply(self, sender_id: str, value: Any) -> None:
        """The conversation's reminder as the slot now says."""
        schedule = Schedule.from_dict(value)
        if schedule is None:
            with contextlib.suppress(JobLookupError):  # stopped when none was set
                self.scheduler.remove_job(job_id(sender_id), jobstore="default")
            return
        trigger = CronTrigger(
            day_of_week="*" if schedule.weekday is None else str(schedule.weekday),
            hour=schedule.hour,
            minute=schedule.minute,
            timezone=schedule.timezone,
        )
        self.scheduler.add_job(
            fire, trigger, args=[sender_id, schedule.to_dict()], id=job_id(sender_id), jobstore="default", replace_existing=True
        )

    def claim(self, sender_id: str, schedule: Schedule, now: datetime) -> bool:
        """True for the one server that may send this fire."""
        due = last_due(schedule, now)
        row = {"fire_key": f"{job_id(sender_id)}@{due.isoformat()}", "sender_id": sender_id, "due_at": due.timestamp(), "claimed_at": time.time()}
        try:
            with self.engine.begin() as connection:
                connection.execute(FIRES.insert().values(**row))
        except sa.exc.IntegrityError:
            return False
        return True


async def fire(sender_id: str, schedule_data: dict) -> None:
    """A reminder fell due (run by APScheduler, found by this module's name)."""
    reminders, schedule = Reminders.running, Schedule.from_dict(schedule_data)
    now = datetime.now(timezone.utc)
    if reminders is None or schedule is None:
        return
    if not send_now(schedule, now):
        logger.info("Skipped a late check-in reminder that would fall in quiet hours (conversation %s).", pseudonym(sender_id))
        return
    if not reminders.claim(sender_id, schedule, now):
        logger.info("A check-in reminder was already sent by another server (conversation %s).", pseudonym(sender_id))
        return
    try:
        await reminders.send(sender_id)
    except Exception:
        logger.exception("Sending a check-in reminder failed (conversation %s).", pseudonym(sender_id))
        return
    logger.info("Sent a check-in reminder (conversation %s).", pseudonym(sender_id))
