"""Screening before self-treatment (pure: no Rasa).

People rarely volunteer a cancer history, an operation or blood thinners, so
before the first release steps for a body region the assistant asks a short
list of yes/no items (assistant/knowledge/screening.yml). "None of these"
clears the region; naming an item gets that item's advice and no pressure
steps; "Not sure" explains the items once. An answer counts for a week.

The state kept in the conversation is a dict, region id -> entry:
{"answer": "none" | "yes" | "item" | "unsure", "item": id | None,
 "explained": bool, "at": unix seconds}.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Dict, List, Mapping

import yaml
from pydantic import Field, ValidationError, root_validator

from assistant import understand
from assistant.knowledge.schema import REGIONS, Id, NonEmpty, Phrase, Strict, Text
from assistant.message import Message
from assistant.safety import ages
from assistant.textmatch import PhraseIndex, fold

SCREENING_FILE = Path(__file__).with_name("knowledge") / "screening.yml"
VALID_FOR_SECONDS = 7 * 24 * 3600
MAX_ITEMS = 8  # a longer list is not read to the end, nor heard in one spoken turn

State = Dict[str, dict]


class Item(Strict):
    text: Text
    spoken: Phrase
    explain: Text
    advice: Text
    words: NonEmpty[Phrase]
    source: Text


class Region(Strict):
    name: Phrase
    covers: NonEmpty[Id]
    items: Annotated[List[Id], Field(min_items=1, max_items=MAX_ITEMS)]


class ScreeningFile(Strict):
    items: Dict[Id, Item]
    regions: Dict[Id, Region]

    @root_validator(skip_on_failure=True)
    def consistent(cls, values: dict) -> dict:
        covered: Dict[str, str] = {}
        for region_id, region in values["regions"].items():
            for item in region.items:
                if item not in values["items"]:
                    raise ValueError(f"region '{region_id}', field 'items': unknown item '{item}'")
            for kb_region in region.covers:
                if kb_region not in REGIONS:
                    raise ValueError(f"region '{region_id}', field 'covers': '{kb_region}' is no body region of the knowledge base")
                if kb_region in covered:
                    raise ValueError(f"region '{region_id}', field 'covers': '{kb_region}' is already covered by '{covered[kb_region]}'")
                covered[kb_region] = region_id
        uncovered = [r for r in REGIONS if r not in covered]
        if uncovered:
            raise ValueError(f"field 'regions': no screening region covers {', '.join(uncovered)}")
        return values


class ScreeningError(ValueError):
    pass


def load(path: Path = SCREENING_FILE) -> ScreeningFile:
    try:
        return ScreeningFile.parse_obj(yaml.safe_load(path.read_text(encoding="utf-8")))
    except ValidationError as err:
        problems = [f"{path.name}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors()]
        raise ScreeningError("\n".join(problems)) from None


class Status(Enum):
    due = "due"  # never asked, asked but not answered, or answered over a week ago
    cleared = "cleared"  # "none of these"
    blocked = "blocked"  # an item applies: its advice, no pressure steps
    unsure = "unsure"  # still not sure after the explanations


class Kind(Enum):
    none = "none"
    yes = "yes"
    unsure = "unsure"
    item = "item"
    aside = "aside"  # something else said while the question waits (an age, a tool)


@dataclass(frozen=True)
class Answer:
    kind: Kind
    item: str | None = None

    def as_dict(self) -> Dict[str, str | None]:
        return {"kind": self.kind.value, "item": self.item}

    @classmethod
    def from_dict(cls, data: Dict[str, str | None]) -> Answer:
        return cls(Kind(data["kind"]), data.get("item"))


ANSWER_BUTTONS = (("None of these", "/deny"), ("Yes, one does", "/affirm"), ("Not sure", "not sure"))
QUESTION = "Before you press on anything, do any of these apply?"
HOW_TO_ANSWER = "Answer none, yes or not sure."

_UNSURE = re.compile(r"\b(not sure|unsure|don'?t know|do not know|dunno|no idea|maybe|perhaps|can'?t remember|not certain|possibly)\b")
_NONE = re.compile(
    r"\b(none|nun|non|no|nope|nah|neither|nothing|not me|not really|n/a|all clear|doesn'?t apply|don'?t apply|none apply|"
    r"not any|no to all|never had)\b"
)
_YES = re.compile(r"\b(yes|yeah|yep|yup|yea|one does|some do|one of them|a couple|i do|i have|i am|i'?m|i did|affirmative|correct)\b")
_ORDINAL = re.compile(r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|1st|2nd|3rd|[4-8]th|[1-8])\b")
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8}
_PAYLOAD = re.compile(r"^/(affirm|deny)(\{.*\})?$")
_PAYLOAD_ORDINAL = re.compile(r'"ordinal"\s*:\s*"?(\d)')


class Screening:
    def __init__(self, data: ScreeningFile):
        self.data = data
        self._region_of = {kb_region: rid for rid, region in data.regions.items() for kb_region in region.covers}
        self._index = {
            rid: PhraseIndex([(w, "item", item) for item in region.items for w in data.items[item].words])
            for rid, region in data.regions.items()
        }

    def region_for(self, kb_region: str) -> str | None:
        """The screening region that covers a knowledge-base region."""
        return self._region_of.get(kb_region)

    def items(self, region: str) -> List[str]:
        return list(self.data.regions[region].items)

    def advice(self, item: str) -> str:
        return self.data.items[item].advice

    # --- reading answers -------------------------------------------------

    def parse_answer(self, region: str, text: str, asked_which: bool = False) -> Answer | None:
        """What a reply to the screening says, or None when it is no answer
        (a question, a new symptom): then the conversation goes on normally."""
        raw = (text or "").strip()
        items = self.items(region)
        payload = _PAYLOAD.match(raw)
        if payload:
            ordinal = _PAYLOAD_ORDINAL.search(raw)
            if payload.group(1) == "deny":
                return Answer(Kind.none)
            if ordinal and 1 <= int(ordinal.group(1)) <= len(items):
                return Answer(Kind.item, items[int(ordinal.group(1)) - 1])
            return Answer(Kind.yes)
        if raw.startswith("/"):
            return None
        folded = fold(raw)
        if _UNSURE.search(folded):
            return Answer(Kind.unsure)
        # ConText loads here, not on import: the action server takes its
        # answers from the Rasa server (assistant/nlp/lean_actions.py).
        from assistant.reading.assertions import default_assertions

        matches = self._index[region].find(raw)
        asserted = default_assertions().analyse(folded, [(m.start, m.end) for m in matches]).assertions
        named = [m.id for m, said in zip(matches, asserted, strict=True) if not said.negated]
        if named:
            return Answer(Kind.item, named[0])
        if ages(folded) or any(f.kind == "tools" for f in understand.read(raw).of("kb")):
            # "I'm 68", "I have a chair and a ball": said while the question
            # waits, not an answer to it.
            return Answer(Kind.aside)
        if asked_which:
            ordinal = _ORDINAL.search(folded)
            if ordinal:
                word = ordinal.group(1)
                number = _ORDINALS.get(word) or int(re.sub(r"\D", "", word))
                if number <= len(items):
                    return Answer(Kind.item, items[number - 1])
        if _NONE.search(folded):
            return Answer(Kind.none)
        if _YES.search(folded):
            return Answer(Kind.yes)
        return None

    # --- messages ----------------------------------------------------------

    def _bullets(self, region: str, field: str) -> str:
        return "\n".join(f"\u2022 {getattr(self.data.items[i], field)}" for i in self.items(region))

    def _buttons(self) -> List[Dict[str, str]]:
        return [{"title": title, "payload": payload} for title, payload in ANSWER_BUTTONS]

    def question(self, region: str) -> List[Message]:
        """The screening question, then its machine-readable payload."""
        return [
            {"text": f"{QUESTION}\n{self._bullets(region, 'text')}\n{HOW_TO_ANSWER}", "buttons": self._buttons()},
            {
                "custom": {
                    "type": "screening",
                    "region": region,
                    "items": [{"id": i, "text": self.data.items[i].text} for i in self.items(region)],
                }
            },
        ]

    def which(self, region: str) -> Message:
        items = self.items(region)
        return {
            "text": "Thanks for saying. Which one is it? (If more than one, pick the first that applies.)",
            "buttons": [
                {"title": self.data.items[i].text, "payload": f'/affirm{{"ordinal": "{n}"}}'} for n, i in enumerate(items, 1)
            ]
            + [{"title": "None of them after all", "payload": "/deny"}],
        }

    def explanations(self, region: str) -> Message:
        return {
            "text": f"Here is what each one means:\n{self._bullets(region, 'explain')}\nDo any of these apply? {HOW_TO_ANSWER}",
            "buttons": self._buttons(),
        }

    def still_unsure(self, region: str) -> Message:
        name = self.data.regions[region].name
        return {
            "text": (
                f"Then let's be careful: please check with your doctor or pharmacist before you press on your {name}. "
                "Until then, warmth and gentle movement within comfort are fine. "
                "Once you know none of these apply, tell me \u201cnone of these\u201d and I'll show you the release."
            )
        }

    def advice_message(self, item: str) -> Message:
        return {"text": f"{self.advice(item)} I won't suggest pressure on that area for now."}


# --- state (the conversation's slot) ---------------------------------------


def status(state: Mapping[str, dict] | None, region: str, now: float) -> Status:
    entry = (state or {}).get(region)
    if not isinstance(entry, dict) or now - float(entry.get("at") or 0) >= VALID_FOR_SECONDS:
        return Status.due
    return {"none": Status.cleared, "item": Status.blocked, "unsure": Status.unsure}.get(str(entry.get("answer")), Status.due)


def entry(state: Mapping[str, dict] | None, region: str) -> dict:
    value = (state or {}).get(region)
    return dict(value) if isinstance(value, dict) else {}


def recorded(state: Mapping[str, dict] | None, region: str, answer: Answer, now: float) -> State:
    """The state after an answer; "not sure" twice counts as unsure."""
    new = {k: dict(v) for k, v in (state or {}).items() if isinstance(v, dict)}
    old = new.get(region, {})
    explained = bool(old.get("explained")) or answer.kind is Kind.unsure
    kind = answer.kind.value
    if answer.kind is Kind.unsure and not old.get("explained"):
        kind = "asked"  # first "not sure": explain, then ask again
    new[region] = {"answer": kind, "item": answer.item, "explained": explained, "at": now}
    return new


@lru_cache(maxsize=1)
def default_screening() -> Screening:
    return Screening(load())


def screening_answer(screening: Screening, state: Mapping[str, dict] | None, region: str, text: str) -> Answer | None:
    """The answer to the screening question pending for `region`, if the text is one."""
    if region not in screening.data.regions:
        return None
    return screening.parse_answer(region, text, asked_which=entry(state, region).get("answer") == "yes")
