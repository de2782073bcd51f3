"""The custom Rasa plug-ins on their own: safety policy, erasable store, intent classifier."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from pathlib import Path
from typing import Iterator

import numpy
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from assistant.nlp.erasable_store import STORED_ID, ErasableSQLTrackerStore, erase_requested
from assistant.nlp.intent_classifier import ArrayLogisticRegressionClassifier
from assistant.nlp.safety_policy import ACTION_RED_FLAG, ACTION_SCREENING_ANSWER, SafetyPolicy

DOMAIN = Domain.load(str(Path(__file__).parents[1] / "domain.yml"))


def policy(tmp_path: Path) -> SafetyPolicy:
    return SafetyPolicy.create(
        SafetyPolicy.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("safety_policy"),
        ExecutionContext(GraphSchema({}), "test"),
    )


def conversation(*events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("someone", [ActionExecuted("action_listen"), *events], slots=DOMAIN.slots)


def predicted(tmp_path: Path, tracker: DialogueStateTracker) -> str | None:
    prediction = policy(tmp_path).predict_action_probabilities(tracker, DOMAIN)
    best = max(range(len(prediction.probabilities)), key=prediction.probabilities.__getitem__)
    return DOMAIN.action_names_or_texts[best] if prediction.probabilities[best] > 0 else None


def test_red_flag_wins_whatever_the_intent(tmp_path: Path) -> None:
    tracker = conversation(UserUttered("my glutes are tight and I wet myself", intent={"name": "thank", "confidence": 1.0}))
    assert predicted(tmp_path, tracker) == ACTION_RED_FLAG


def test_policy_listens_after_the_urgent_reply(tmp_path: Path) -> None:
    tracker = conversation(UserUttered("chest pain", intent={"name": "describe_symptom"}), ActionExecuted(ACTION_RED_FLAG))
    assert predicted(tmp_path, tracker) == "action_listen"


def test_policy_abstains_on_ordinary_messages(tmp_path: Path) -> None:
    tracker = conversation(UserUttered("my knee buckles", intent={"name": "describe_symptom"}))
    assert predicted(tmp_path, tracker) is None


def test_policy_outranks_rules() -> None:
    from rasa.core.constants import RULE_POLICY_PRIORITY

    assert SafetyPolicy.get_default_config()["priority"] > RULE_POLICY_PRIORITY


def awaiting_screening(text: str, intent: str) -> DialogueStateTracker:
    return conversation(
        SlotSet("awaiting", "screening"),
        SlotSet("screening_region", "lower_back"),
        ActionExecuted("action_listen"),
        UserUttered(text, intent={"name": intent, "confidence": 1.0}),
    )


def test_a_typed_screening_answer_goes_to_the_screening_whatever_the_intent(tmp_path: Path) -> None:
    assert predicted(tmp_path, awaiting_screening("none of them apply to me", "out_of_scope")) == ACTION_SCREENING_ANSWER
    assert predicted(tmp_path, awaiting_screening("I'm on warfarin", "describe_symptom")) == ACTION_SCREENING_ANSWER


def test_a_question_during_the_screening_is_left_to_the_rules(tmp_path: Path) -> None:
    assert predicted(tmp_path, awaiting_screening("what is a trigger point?", "ask_what_is_trigger_point")) is None


def test_a_red_flag_during_the_screening_still_wins(tmp_path: Path) -> None:
    assert predicted(tmp_path, awaiting_screening("no, but I can't feel my groin when I wipe", "deny")) == ACTION_RED_FLAG


def test_typing_its_not_that_after_the_urgent_reply_is_the_no_answer(tmp_path: Path) -> None:
    tracker = conversation(
        SlotSet("awaiting", "red_flag"),
        ActionExecuted("action_listen"),
        UserUttered("it's not that, it's just a bit of pee when I sneeze", intent={"name": "tried_already", "confidence": 1.0}),
    )
    assert predicted(tmp_path, tracker) == "action_yes_no"


def test_erase_is_requested_only_by_the_latest_turn() -> None:
    deleting = [UserUttered("delete my data"), ActionExecuted("action_delete_my_data"), BotUttered("Done")]
    assert erase_requested(deleting)
    assert not erase_requested([*deleting, UserUttered("hello again"), ActionExecuted("utter_greet")])


def test_store_deletes_every_event_of_the_sender_and_only_those(tmp_path: Path) -> None:
    db = tmp_path / "conversations.db"
    store = ErasableSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(db))
    keep = DialogueStateTracker.from_events("keep", [UserUttered("my knee buckles"), SlotSet("current_muscle", "vastus_medialis")])
    forget = DialogueStateTracker.from_events("forget", [UserUttered("my jaw aches"), ActionExecuted("action_listen")])
    for tracker in (keep, forget):
        asyncio.run(store.save(tracker))

    def count(sender: str) -> int:
        with sqlite3.connect(db) as connection:
            return connection.execute("select count(*) from events where sender_id = ?", (sender,)).fetchone()[0]

    assert count("forget") == 2
    forget.update(UserUttered("delete my data"))
    forget.update(ActionExecuted("action_delete_my_data"))
    asyncio.run(store.save(forget))
    assert count("forget") == 0
    assert count("keep") == 2


def test_purge_removes_old_conversations(tmp_path: Path) -> None:
    store = ErasableSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "c.db"))
    old = DialogueStateTracker.from_events("old", [UserUttered("hi", timestamp=1000.0)])
    asyncio.run(store.save(old))
    assert store.purge_older_than(days=30) == 1


def said_turn(text: str, at: float) -> list:
    """One user turn as Rasa stores it: listen, the message, an answer, listen."""
    return [
        ActionExecuted("action_listen", timestamp=at),
        UserUttered(text, intent={"name": "greet", "confidence": 1.0}, timestamp=at + 0.1),
        ActionExecuted("utter_greet", timestamp=at + 0.2),
        BotUttered("hi", timestamp=at + 0.3),
        ActionExecuted("action_listen", timestamp=at + 0.4),
    ]


def events_of(tracker: DialogueStateTracker | None) -> list:
    return [e.as_dict() for e in tracker.events] if tracker else []


def test_store_hands_back_the_saved_tracker_while_the_database_agrees(tmp_path: Path) -> None:
    store = ErasableSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "c.db"))
    tracker = DialogueStateTracker.from_events("me", [UserUttered("my knee buckles"), ActionExecuted("action_listen")])
    asyncio.run(store.save(tracker))
    assert asyncio.run(store.retrieve("me")) is tracker  # no rebuild from the database


def test_store_keeps_only_the_most_recent_trackers_within_its_event_budget(tmp_path: Path, monkeypatch) -> None:
    from assistant.nlp import erasable_store

    monkeypatch.setattr(erasable_store, "CACHED_EVENTS", 5)
    store = ErasableSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "c.db"))
    trackers = {name: DialogueStateTracker.from_events(name, [UserUttered("hi"), ActionExecuted("action_listen")]) for name in "abc"}
    for tracker in trackers.values():
        asyncio.run(store.save(tracker))  # 2 events each: only the last two fit
    assert asyncio.run(store.retrieve("a")) is not trackers["a"]
    assert asyncio.run(store.retrieve("b")) is trackers["b"]
    assert asyncio.run(store.retrieve("c")) is trackers["c"]


def stored_rows(db: Path, sender: str) -> list:
    with sqlite3.connect(db) as connection:
        return [json.loads(d) for (d,) in connection.execute("select data from events where sender_id = ? order by id", (sender,))]


def test_a_tracker_kept_in_memory_stores_each_event_once(tmp_path: Path) -> None:
    """The session's first event comes before its start mark, as in Rasa."""
    db = tmp_path / "c.db"
    store = ErasableSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(db))
    tracker = DialogueStateTracker.from_events(
        "me",
        [ActionExecuted("action_session_start", timestamp=1.0), SessionStarted(timestamp=2.0), *said_turn("hello", 3.0)],
    )
    asyncio.run(store.save(tracker))
    for turn in range(3):
        kept = asyncio.run(store.retrieve("me"))
        assert kept is tracker
        for event in said_turn(f"message {turn}", 10.0 + turn):
            kept.update(event)
        asyncio.run(store.save(kept))
    assert stored_rows(db, "me") == [e.as_dict() for e in tracker.events]


def test_a_tracker_kept_in_memory_streams_only_its_new_events(tmp_path: Path) -> None:
    class Broker:
        def __init__(self) -> None:
            self.published: list = []

        def publish(self, event: dict) -> None:
            self.published.append(event)

    broker = Broker()
    store = ErasableSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "c.db"), event_broker=broker)
    tracker = DialogueStateTracker.from_events(
        "me", [ActionExecuted("action_session_start", timestamp=1.0), SessionStarted(timestamp=2.0), *said_turn("hello", 3.0)]
    )
    asyncio.run(store.save(tracker))
    kept = asyncio.run(store.retrieve("me"))
    for event in said_turn("again", 10.0):
        kept.update(event)
    asyncio.run(store.save(kept))
    assert [e.get("text") for e in broker.published if e["event"] == "user"] == ["hello", "again"]
    assert len(broker.published) == len(tracker.events)
    # Each published after it was stored, with the id of its row (the statistics count each id once).
    with sqlite3.connect(tmp_path / "c.db") as connection:
        rows = [row_id for (row_id,) in connection.execute("select id from events where sender_id = 'me' order by id")]
    assert [e[STORED_ID] for e in broker.published] == rows


def test_store_rebuilds_when_another_server_wrote_to_the_conversation(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    here, there = (ErasableSQLTrackerStore(DOMAIN, dialect="sqlite", db=db) for _ in range(2))
    asyncio.run(here.save(DialogueStateTracker.from_events("me", [UserUttered("my knee buckles")])))
    elsewhere = asyncio.run(there.retrieve("me"))
    elsewhere.update(UserUttered("and my hip"))
    asyncio.run(there.save(elsewhere))

    seen = asyncio.run(here.retrieve("me"))
    assert [e.get("text") for e in events_of(seen)] == ["my knee buckles", "and my hip"]


def test_store_rebuilds_a_tracker_changed_but_never_saved(tmp_path: Path) -> None:
    store = ErasableSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "c.db"))
    tracker = DialogueStateTracker.from_events("me", [UserUttered("my knee buckles")])
    asyncio.run(store.save(tracker))
    tracker.update(UserUttered("a turn that failed before it was saved"))

    seen = asyncio.run(store.retrieve("me"))
    assert seen is not tracker
    assert [e.get("text") for e in events_of(seen)] == ["my knee buckles"]


def test_store_rebuilds_when_events_were_re_dated_in_the_database(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    store = ErasableSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(db))
    tracker = DialogueStateTracker.from_events("me", [UserUttered("my knee buckles", timestamp=5000.0)])
    asyncio.run(store.save(tracker))
    with sqlite3.connect(db) as connection:
        connection.execute("update events set timestamp = timestamp - 100")
    assert asyncio.run(store.retrieve("me")) is not tracker


def test_store_forgets_deleted_and_purged_conversations(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    store = ErasableSQLTrackerStore(DOMAIN, dialect="sqlite", db=db)
    for sender in ("deleted", "purged"):
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, [UserUttered("hi", timestamp=1000.0)])))
    store.delete("deleted")
    assert ErasableSQLTrackerStore(DOMAIN, dialect="sqlite", db=db).purge_older_than(days=30) == 1  # `make purge`
    assert asyncio.run(store.retrieve("deleted")) is None
    assert asyncio.run(store.retrieve("purged")) is None


def test_store_answers_a_new_session_with_that_session_only(tmp_path: Path) -> None:
    store = ErasableSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "c.db"))
    tracker = DialogueStateTracker.from_events("me", [SessionStarted(timestamp=1.0), UserUttered("old", timestamp=2.0)])
    asyncio.run(store.save(tracker))
    tracker.update(ActionExecuted("action_session_start", timestamp=3.0))
    tracker.update(SessionStarted(timestamp=4.0))
    tracker.update(UserUttered("new", timestamp=5.0))
    asyncio.run(store.save(tracker))

    seen = asyncio.run(store.retrieve("me"))
    assert [e["event"] for e in events_of(seen)] == ["session_started", "user"]


@pytest.fixture
def postgres_db() -> Iterator[str]:
    """A fresh PostgreSQL database on the local server, dropped afterwards."""
    import psycopg2

    name = f"tp_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=3)
    except psycopg2.OperationalError as err:
        pytest.fail(f"PostgreSQL (127.0.0.1:5432) is required for the tracker-store tests: {err}")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_delete_my_data_in_postgresql(postgres_db: str) -> None:
    import psycopg2

    store = ErasableSQLTrackerStore(DOMAIN, dialect="postgresql", host="127.0.0.1", port=5432, db=postgres_db, username="postgres")
    tracker = DialogueStateTracker.from_events("pg-user", [UserUttered("my knee buckles"), ActionExecuted("action_listen")])
    asyncio.run(store.save(tracker))

    def rows() -> int:
        with psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname=postgres_db) as connection:
            cursor = connection.cursor()
            cursor.execute("select count(*) from events where sender_id = %s", ("pg-user",))
            return cursor.fetchone()[0]

    assert rows() == 2
    tracker.update(UserUttered("delete my data"))
    tracker.update(ActionExecuted("action_delete_my_data"))
    asyncio.run(store.save(tracker))
    assert rows() == 0
    store.engine.dispose()


def intent_classifier(tmp_path: Path, name: str = "intents") -> ArrayLogisticRegressionClassifier:
    return ArrayLogisticRegressionClassifier.load(
        ArrayLogisticRegressionClassifier.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource(name),
        ExecutionContext(GraphSchema({}), name),
    )


def test_intent_classifier_loads_back_the_same_probabilities_without_pickle(tmp_path: Path) -> None:
    from scipy.sparse import csr_matrix

    X = csr_matrix([[3, 0, 1, 0], [2, 1, 0, 0], [0, 0, 2, 3], [0, 1, 1, 4], [1, 4, 0, 0], [0, 3, 0, 1]])
    labels = ["greet", "greet", "describe_symptom", "describe_symptom", "thank", "thank"]
    trained = intent_classifier(tmp_path)
    trained.clf.fit(X, labels)
    trained.persist()

    saved = next(tmp_path.rglob("weights.npz"))
    with numpy.load(saved, allow_pickle=False) as arrays:  # loads only if nothing in it needs pickle
        assert list(arrays["classes"]) == sorted(set(labels))

    loaded = intent_classifier(tmp_path)
    assert list(loaded.clf.classes_) == list(trained.clf.classes_)
    assert numpy.allclose(loaded.clf.predict_proba(X), trained.clf.predict_proba(X))


def test_intent_classifier_without_saved_weights_is_untrained_not_a_crash(tmp_path: Path) -> None:
    loaded = intent_classifier(tmp_path, "never_trained")
    assert not hasattr(loaded.clf, "coef_")
