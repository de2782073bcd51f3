"""Check-in reminders: reading them from words (pure), the policy sending
reminder words to their action, and the schedule in the database: fired once
across two schedulers, kept over a restart, erased by "delete my data"."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import List

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from assistant.diary.reminders import Request, Schedule, last_due, read_request, send_now, when, zone_name
from assistant.nlp import reminder_jobs
from assistant.nlp.erasable_store import ErasableSQLTrackerStore
from assistant.nlp.reminder_jobs import Reminders, job_id, job_store, pseudonym
from assistant.nlp.safety_policy import ACTION_RED_FLAG, ACTION_REMINDER, safety_action
from tests import test_rasa_plugins

DOMAIN = Domain.load(str(Path(__file__).parents[1] / "domain.yml"))
postgres_db = test_rasa_plugins.postgres_db  # a fresh PostgreSQL database per test
EVENING = Schedule(20, 0)


def schedule(text: str, current: Schedule | None = None) -> Schedule | None:
    request = read_request(text, current)
    assert request is not None and request.kind in ("set", "change"), (text, request)
    return request.schedule


# ---------------------------------------------------------------- words


def test_daily_times_in_words() -> None:
    assert schedule("remind me every evening at 8") == Schedule(20, 0)
    assert schedule("Remind me every morning at 7:30") == Schedule(7, 30)
    assert schedule("can you remind me every day at 6") == Schedule(18, 0)
    assert schedule("set up a daily reminder at 9am") == Schedule(9, 0)
    assert schedule("remind me every day at noon") == Schedule(12, 0)
    assert schedule("I'd like a check-in every day at 17:45") == Schedule(17, 45)


def test_a_part_of_the_day_alone_has_its_own_hour() -> None:
    assert schedule("remind me every evening") == Schedule(19, 0)
    assert schedule("remind me every morning") == Schedule(9, 0)
    assert schedule("remind me every afternoon") == Schedule(14, 0)


def test_weekdays_make_it_weekly() -> None:
    assert schedule("remind me every Monday at 9am") == Schedule(9, 0, weekday=0)
    assert schedule("remind me on Fridays at 5pm") == Schedule(17, 0, weekday=4)
    assert schedule("remind me every sunday evening") == Schedule(19, 0, weekday=6)


def test_change_keeps_what_it_does_not_name() -> None:
    assert schedule("make it 9 instead", EVENING) == Schedule(21, 0)
    assert schedule("change it to 7am", EVENING) == Schedule(7, 0)
    assert schedule("move my reminder to Mondays", EVENING) == Schedule(20, 0, weekday=0)
    weekly = Schedule(9, 0, weekday=0)
    assert schedule("make it 10 instead", weekly) == Schedule(10, 0, weekday=0)
    assert schedule("change it to every day", weekly) == Schedule(9, 0)
    assert read_request("make it 9 instead", None) is None  # nothing to change: not a reminder


def test_stop_in_words() -> None:
    for text in ("stop the reminders", "please cancel my reminder", "no more reminders", "don't remind me any more"):
        assert read_request(text, EVENING) == Request("stop"), text


def test_quiet_hours_need_the_exact_time() -> None:
    assert read_request("remind me every night at 11", None) == Request("quiet", Schedule(23, 0))
    assert read_request("make it 10 instead", EVENING) == Request("quiet", Schedule(22, 0))
    assert schedule("remind me every day at 10:30 pm") == Schedule(22, 30)
    assert schedule("remind me every day at 6am") == Schedule(6, 0)
    assert schedule("set a reminder for 23:15") == Schedule(23, 15)


def test_other_messages_are_not_about_reminders() -> None:
    for text in ("my knee hurts at 8 in the evening", "6", "I tried it on Monday", "make it stop hurting", "stop asking me"):
        assert read_request(text, EVENING) is None, text


def test_the_zone_is_said_and_the_time_in_lay_words() -> None:
    assert when(Schedule(20, 0)) == "every day at 8 pm"
    assert when(Schedule(9, 30, weekday=0)) == "every Monday at 9:30 am"
    assert zone_name("Europe/London") == "UK time"
    assert zone_name("America/New_York") == "New York time"
    assert read_request("remind me every evening at 8", None, "Europe/Berlin") == Request("set", Schedule(20, 0, None, "Europe/Berlin"))


def test_last_due_names_one_fire_in_the_reminders_zone() -> None:
    # 16:00 UTC on Sunday 6 December 2026 (London is on UTC in winter).
    now = datetime(2026, 12, 6, 16, 0, tzinfo=timezone.utc)
    assert last_due(Schedule(20, 0), now) == datetime(2026, 12, 5, 20, 0, tzinfo=timezone.utc)
    assert last_due(Schedule(9, 0), now) == datetime(2026, 12, 6, 9, 0, tzinfo=timezone.utc)
    assert last_due(Schedule(20, 0, weekday=0), now) == datetime(2026, 11, 30, 20, 0, tzinfo=timezone.utc)
    berlin = last_due(Schedule(9, 0, None, "Europe/Berlin"), now)
    assert berlin.astimezone(timezone.utc) == datetime(2026, 12, 6, 8, 0, tzinfo=timezone.utc)


def test_a_late_fire_waits_for_morning() -> None:
    late = datetime(2026, 12, 6, 22, 40, tzinfo=timezone.utc)
    assert not send_now(Schedule(21, 30), late)
    assert send_now(Schedule(22, 30), late)  # asked for exactly then
    assert send_now(Schedule(21, 30), datetime(2026, 12, 6, 21, 45, tzinfo=timezone.utc))


# ---------------------------------------------------------------- routing


def test_reminder_words_go_to_the_reminder_action_after_safety() -> None:
    assert safety_action("remind me every evening at 8", None, None, None) == ACTION_REMINDER
    assert safety_action("make it 9 instead", None, None, None, reminder=EVENING.to_dict()) == ACTION_REMINDER
    assert safety_action("make it 9 instead", None, None, None) is None
    assert safety_action("remind me at 8, I have crushing chest pain", None, None, None) == ACTION_RED_FLAG


# ---------------------------------------------------------------- database


def store(tmp_path: Path) -> ErasableSQLTrackerStore:
    return ErasableSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "conversations.db"))


def rows(tmp_path: Path, query: str, *args: str) -> List[tuple]:
    with sqlite3.connect(tmp_path / "conversations.db") as connection:
        return connection.execute(query, args).fetchall()


def make_due(engine: object, sender: str) -> None:
    """What a server that is down sees: the reminder's time passes."""
    jobs = job_store(engine)
    job = jobs.lookup_job(job_id(sender))
    job.next_run_time = datetime.now(timezone.utc) - timedelta(seconds=5)
    jobs.update_job(job)


async def run_servers(engine: object, count: int, sent: List[str], until: int) -> None:
    """`count` schedulers on one database until `until` check-ins went out
    (or a bound of turns, so the test always ends)."""

    async def send(sender: str) -> None:
        sent.append(sender)

    servers = [Reminders(engine, send) for _ in range(count)]
    try:
        for server in servers:
            server.start()
            Reminders.running = servers[0]  # one process holds one; the claim is what counts
        for _ in range(100):
            if len(sent) >= until:
                break
            await asyncio.sleep(0.02)
        # A few more turns of the loop, so a second fire would show.
        for _ in range(10):
            await asyncio.sleep(0.02)
    finally:
        for server in servers:
            server.stop()


def set_reminder(conversations: ErasableSQLTrackerStore, sender: str | DialogueStateTracker, value: dict | None) -> DialogueStateTracker:
    """A turn that sets (or, with None, stops) the reminder, saved on a server."""
    tracker = sender if isinstance(sender, DialogueStateTracker) else DialogueStateTracker.from_events(sender, [])
    tracker.update(UserUttered("remind me every evening at 8" if value else "stop the reminders"))
    tracker.update(SlotSet("reminder", value))

    async def turn() -> None:
        server = Reminders(conversations.engine, lambda _: asyncio.sleep(0))
        server.start()
        try:
            await conversations.save(tracker)
        finally:
            server.stop()

    asyncio.run(turn())
    return tracker


def test_a_reminder_due_during_a_restart_fires_once_on_two_servers(tmp_path: Path) -> None:
    conversations = store(tmp_path)
    set_reminder(conversations, "telegram-1", EVENING.to_dict())
    assert rows(tmp_path, "select id from reminder_jobs") == [(job_id("telegram-1"),)]
    make_due(conversations.engine, "telegram-1")
    sent: List[str] = []
    asyncio.run(run_servers(conversations.engine, 2, sent, until=1))
    assert sent == ["telegram-1"]
    assert len(rows(tmp_path, "select fire_key from reminder_fires")) == 1
    # Started again: the fire is not repeated, and the next one is tomorrow's.
    asyncio.run(run_servers(conversations.engine, 1, sent, until=2))
    assert sent == ["telegram-1"]
    assert job_store(conversations.engine).lookup_job(job_id("telegram-1")).next_run_time > datetime.now(timezone.utc)


def test_a_fire_claimed_already_is_not_sent_again(tmp_path: Path) -> None:
    conversations = store(tmp_path)
    set_reminder(conversations, "telegram-2", EVENING.to_dict())
    make_due(conversations.engine, "telegram-2")
    sent: List[str] = []
    asyncio.run(run_servers(conversations.engine, 1, sent, until=1))
    make_due(conversations.engine, "telegram-2")  # a server killed after its claim left the job due
    asyncio.run(run_servers(conversations.engine, 1, sent, until=2))
    assert sent == ["telegram-2"]


def test_stopping_removes_the_job(tmp_path: Path) -> None:
    conversations = store(tmp_path)
    tracker = set_reminder(conversations, "telegram-3", EVENING.to_dict())
    set_reminder(conversations, tracker, None)
    assert rows(tmp_path, "select id from reminder_jobs") == []


def test_delete_my_data_removes_reminders_and_their_fires(tmp_path: Path) -> None:
    conversations = store(tmp_path)
    for sender in ("telegram-4", "telegram-5"):
        set_reminder(conversations, sender, EVENING.to_dict())
    for sender in ("telegram-4", "telegram-5"):
        make_due(conversations.engine, sender)
    asyncio.run(run_servers(conversations.engine, 1, [], until=2))
    assert len(rows(tmp_path, "select * from reminder_fires where sender_id = ?", "telegram-4")) == 1
    tracker = DialogueStateTracker.from_events("telegram-4", [UserUttered("delete my data"), ActionExecuted("action_delete_my_data")])
    asyncio.run(conversations.save(tracker))
    assert rows(tmp_path, "select id from reminder_jobs") == [(job_id("telegram-5"),)]
    assert rows(tmp_path, "select * from reminder_fires where sender_id = ?", "telegram-4") == []
    assert len(rows(tmp_path, "select * from reminder_fires where sender_id = ?", "telegram-5")) == 1


def test_logs_name_a_conversation_by_a_pseudonym(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    conversations = store(tmp_path)
    set_reminder(conversations, "telegram-777123", EVENING.to_dict())
    make_due(conversations.engine, "telegram-777123")
    with caplog.at_level("INFO", logger=reminder_jobs.__name__):
        asyncio.run(run_servers(conversations.engine, 1, [], until=1))
    assert pseudonym("telegram-777123") in caplog.text
    assert "777123" not in caplog.text


def test_in_postgresql_a_fire_goes_once_and_delete_my_data_removes_it(postgres_db: str) -> None:
    conversations = ErasableSQLTrackerStore(DOMAIN, dialect="postgresql", host="127.0.0.1", port=5432, db=postgres_db, username="postgres")
    tracker = set_reminder(conversations, "telegram-8", EVENING.to_dict())
    make_due(conversations.engine, "telegram-8")
    sent: List[str] = []
    asyncio.run(run_servers(conversations.engine, 2, sent, until=1))
    assert sent == ["telegram-8"]

    def count(table: str) -> int:
        with conversations.engine.connect() as connection:
            return connection.execute(sa.text(f"select count(*) from {table}")).scalar_one()

    assert (count("reminder_jobs"), count("reminder_fires")) == (1, 1)
    tracker.update(UserUttered("delete my data"))
    tracker.update(ActionExecuted("action_delete_my_data"))
    asyncio.run(conversations.save(tracker))
    assert (count("reminder_jobs"), count("reminder_fires")) == (0, 0)
    conversations.engine.dispose()
