"""Which conversation a diary link belongs to: noted from the slot events
a turn stores, gone after its hour or with the conversation."""

from __future__ import annotations

import time

import sqlalchemy as sa
from rasa.shared.core.events import SlotSet, UserUttered
from sqlalchemy.orm import Session

from assistant.nlp import diary_links


def _exports(**tokens: float) -> SlotSet:
    return SlotSet(diary_links.SLOT, {t: {"kind": "summary", "expires": e, "summary": {}} for t, e in tokens.items()})


def test_links_are_noted_found_and_forgotten() -> None:
    engine = sa.create_engine("sqlite://")
    diary_links.LINKS.metadata.create_all(engine)
    later, gone = time.time() + 3600, time.time() - 1
    with Session(engine) as session:
        diary_links.record(session, "alice", [UserUttered("hi"), _exports(a1=later, a0=gone)])
        diary_links.record(session, "alice", [_exports(a1=later, a2=later)])  # a1 again: noted once
        diary_links.record(session, "bob", [_exports(b1=later)])
        assert diary_links.owner(session, "a1") == "alice" and diary_links.owner(session, "a2") == "alice"
        assert diary_links.owner(session, "a0") is None  # expired
        assert diary_links.owner(session, "nope") is None
        diary_links.forget(session, "alice")
        assert diary_links.owner(session, "a1") is None and diary_links.owner(session, "b1") == "bob"


def test_only_slot_events_of_the_exports_make_links() -> None:
    assert diary_links.made([SlotSet("pain_diary", [{"x": 1}]), UserUttered("6"), SlotSet(diary_links.SLOT, None)]) == []
