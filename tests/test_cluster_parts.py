"""The cluster's pure parts: settings, statistics from events, the stored
events check, replies of a retried turn, stopping by recorded pid."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import time
from pathlib import Path

from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from assistant.cluster.launch import started_at, stop_recorded
from assistant.cluster.load import turn_problems
from assistant.cluster.settings import ClusterSettings
from assistant.cluster.stats import tally
from assistant.nlp.retried_turns import stored_replies


def test_settings_come_from_the_environment_with_local_defaults() -> None:
    settings = ClusterSettings.from_env({"CLUSTER_PORT": "9000", "RASA_SERVERS": "3", "POSTGRES_HOST": "db", "REDIS_PORT": ""})
    assert (settings.port, settings.rasa_servers, settings.postgres_host, settings.redis_port) == (9000, 3, "db", 6379)
    env = settings.env()
    assert env["CLUSTER_PORT"] == "9000" and env["SQL_POOL_SIZE"] == "2" and env["RABBITMQ_USER"] == "guest"


def test_statistics_take_counts_and_knowledge_base_ids_only() -> None:
    noon = dt.datetime(2026, 5, 4, 12, tzinfo=dt.timezone.utc).timestamp()
    assert tally({"event": "user", "text": "my knee", "timestamp": noon}).messages == 1
    assert tally({"event": "user", "timestamp": noon}).day == dt.date(2026, 5, 4)
    suggestion = {
        "event": "bot", "text": "...", "timestamp": noon,
        "data": {"custom": {"type": "muscle_suggestions", "muscles": [
            {"id": "vastus_medialis"}, {"id": "Robert'); DROP TABLE"}, {"id": "soleus"}, "junk"]}},
    }
    assert tally(suggestion).muscles == ["vastus_medialis", "soleus"]
    red_flag = {"event": "bot", "timestamp": noon, "data": {"custom": {"type": "red_flag", "reason": "x"}}}
    assert tally(red_flag).red_flags == 1 and not tally(red_flag).muscles
    assert tally({"event": "slot", "name": "muscles", "timestamp": noon}).empty


def turn(text: str) -> list:
    return [{"event": "user", "text": text}, {"event": "bot"}, {"event": "action", "name": "action_listen"}]


def test_stored_events_check_finds_lost_duplicated_reordered_and_interleaved_turns() -> None:
    start = [{"event": "action", "name": "action_session_start"}, {"event": "action", "name": "action_listen"}]
    assert turn_problems(["a", "b"], start + turn("a") + turn("b")) == []
    assert turn_problems(["a", "b"], start + turn("a"))  # lost
    assert turn_problems(["a", "b"], start + turn("a") + turn("a") + turn("b"))  # duplicated
    assert turn_problems(["a", "b"], start + turn("b") + turn("a"))  # reordered
    assert turn_problems(["a", "b"], start + turn("b") + turn("a"), ordered=False) == []
    interleaved = [turn("a")[0], turn("b")[0], {"event": "bot"}, turn("a")[2], {"event": "bot"}, turn("b")[2]]
    assert "a turn without a reply" in turn_problems(["a", "b"], interleaved)
    listen = {"event": "action", "name": "action_listen", "timestamp": 5.0}
    assert "an event stored twice" in turn_problems(["a"], [*start, *turn("a"), listen, listen])


def test_a_retried_message_gets_the_replies_of_its_stored_turn() -> None:
    tracker = DialogueStateTracker.from_events("s", [
        UserUttered("hi", message_id="first"), BotUttered("hello"), ActionExecuted("action_listen"),
        UserUttered("knee", message_id="second"), BotUttered("one"), BotUttered("two", {"custom": {"type": "x"}}),
        ActionExecuted("action_listen"), UserUttered("more", message_id="third"), BotUttered("three"),
    ])
    assert [r.text for r in stored_replies(tracker, "second")] == ["one", "two"]
    assert stored_replies(tracker, "unknown") is None


def test_cluster_stop_ends_recorded_processes_and_leaves_a_reused_pid_alone(tmp_path: Path) -> None:
    ours = subprocess.Popen(["sleep", "60"], start_new_session=True)
    other = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        (tmp_path / "cluster.json").write_text(json.dumps({"processes": {
            "ours": {"pid": ours.pid, "started_at": started_at(ours.pid)},
            # Same pid as recorded, but not the process that was started then.
            "reused": {"pid": other.pid, "started_at": "1"},
        }}))
        assert stop_recorded(tmp_path) == ["ours"]
        deadline = time.monotonic() + 5
        while ours.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ours.poll() is not None
        assert other.poll() is None
        assert not (tmp_path / "cluster.json").exists()
    finally:
        for process in (ours, other):
            if process.poll() is None:
                os.killpg(process.pid, 15)
                process.wait()
