"""Short spoken answers (pure: no Rasa, no audio).

A full symptom reply takes about two minutes to read aloud; on the phone or
the microphone nobody holds that in their head. So a turn's messages become
a script of short parts, each under about 25 seconds:

- a symptom reply: the likely muscle and why, in one sentence; the first
  release step; "Say next for the next step, or other muscles." Then one
  step per "next", the cautions with the last step, then what to check
  also and why it comes back, with the reply's choices;
- the screening question: the muscle in one sentence, the question with its
  items, and its three answers ("Say none of these, yes one does, or not
  sure.");
- a red-flag reply: always the whole urgent advice, never cut short (and
  so, the screening's items too: both are safety, said in full);
- anything else: its text and choices, cut at sentence ends into parts that
  "next" walks through.

Spoken commands walk the script without a new turn: "next", "repeat",
"slower", "other muscles", "stop". The written reply is untouched: channels
still send every message whole.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import Any, Dict, List, Mapping, Sequence, Tuple

from assistant.screening import QUESTION, default_screening
from assistant.voice.speak import plain, seconds_to_say, speakable, spoken_choices
from assistant.voice.text import normalise, said_once

MAX_SECONDS = 25.0
NEXT_STEP = "Say next for the next step, or other muscles."
NEXT_STEP_ONLY = "Say next for the next step."
MORE = "Say next to hear more."
THE_END = "That's the last of it."
NO_OTHERS = "I haven't suggested other muscles yet. Tell me where it hurts and what it feels like."
STOPPED = "All right, I'll stop there. Say repeat to hear it again, or tell me what you'd like."
NOTHING_TO_WALK = "There's nothing more to read out. Tell me where it hurts, or ask me anything."

Message = Mapping[str, Any]


class Command(Enum):
    next = "next"
    repeat = "repeat"
    slower = "slower"
    others = "other muscles"
    stop = "stop"


# Whole answers that are a command (fillers such as "please" and "um" aside).
COMMAND_PHRASES: Dict[Command, Tuple[str, ...]] = {
    Command.next: ("next", "step", "next step", "next one", "go on", "carry on", "continue", "keep going", "and then", "what's next", "then what"),
    Command.repeat: ("repeat", "repeat that", "say that again", "again", "once more", "pardon", "sorry", "come again", "what did you say"),
    Command.slower: ("slower", "slow down", "more slowly", "slowly", "too fast", "slower please", "say it slower", "speak slower"),
    Command.others: ("other muscles", "the other muscles", "other ones", "the other ones", "others", "which others", "what else", "other muscle"),
    Command.stop: ("stop", "stop talking", "stop it", "that's enough", "enough", "quiet", "be quiet", "shush", "okay stop"),
}
COMMAND_WORDS = tuple(c.value for c in Command)  # what the recogniser is told to expect
# Said at any time and must never be misheard: "please glute my knee" kept the data.
ALWAYS_HEARD = ("delete my data",)
_FILLERS = {"um", "uh", "er", "erm", "please", "ok", "okay", "oh", "well", "so", "now", "just", "alright", "right"}
_PHRASE_TO_COMMAND = {phrase: command for command, phrases in COMMAND_PHRASES.items() for phrase in phrases}


# One-word commands the recogniser may mishear as a near word ("strap",
# "flower"): a single word this close to one of them, and to no other, is it.
NEAR_WORDS = ("next", "repeat", "slower", "stop")
NEAR_SCORE = 65
NEAR_MARGIN = 15


def said_words(transcript: str) -> List[str]:
    """The words, fillers left out, and a phrase said twice or more once
    ("repeat, repeat": Whisper sometimes echoes a hotword)."""
    return said_once([w for w in normalise(transcript).split() if w not in _FILLERS])


@lru_cache(maxsize=1)
def domain_words() -> frozenset:
    """The knowledge base's one-word terms (knee, hip, sore...): said alone,
    one is an answer, never a misheard command."""
    from assistant.knowledge.loader import default_knowledge

    kb = default_knowledge()
    phrases = [n for m in kb.muscles.values() for n in (m.name, *m.aliases)]
    for kind in ("areas", "sensations", "tools", "activities", "conditions"):
        phrases += [p for t in getattr(kb.vocabulary, kind) for p in (t.name, *t.synonyms)]
    return frozenset(n for n in map(normalise, phrases) if n and " " not in n)


def command_of(transcript: str, near: bool = False) -> Command | None:
    """The command `transcript` is, when it is nothing but a command; with
    `near`, a lone word close to one command word counts as that word."""
    words = said_words(transcript)
    said = " ".join(words)
    if said in _PHRASE_TO_COMMAND:
        return _PHRASE_TO_COMMAND[said]
    if not near or len(words) != 1 or said in domain_words():
        # "next please stop": no guessing between two commands.
        return None
    from rapidfuzz import fuzz

    scores = sorted(((fuzz.ratio(said, w), w) for w in NEAR_WORDS), reverse=True)
    (best, word), (second, _) = scores[0], scores[1]
    return _PHRASE_TO_COMMAND[word] if best >= NEAR_SCORE and best - second >= NEAR_MARGIN else None


@dataclass(frozen=True)
class Script:
    """What a turn's replies say aloud, in parts."""

    parts: Tuple[str, ...]
    others: str | None = None  # what "other muscles" says
    answers: Tuple[str, ...] = ()  # the reply's button titles: what the person may say next
    whole: bool = False  # safety text: never cut
    names: Tuple[str, ...] = ()  # the muscles suggested: likely to be asked about by name

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256("\n".join(self.parts).encode("utf-8")).hexdigest()[:16]

    @property
    def walkable(self) -> bool:
        return len(self.parts) > 1 or self.others is not None

    def expected(self) -> List[str]:
        """Phrases the next answer is likely to be: hotwords for the recogniser."""
        return [*self.answers, *(COMMAND_WORDS if self.walkable else ()), *self.names, *ALWAYS_HEARD]


# ------------------------------------------------------------ reading the messages

_LISTED = re.compile(r"^\s*(\d+)[.)]\s+(.*)$")
_RANKED = re.compile(r"^\s*\d+[.)]\s+\*\*(?P<name>[^*]+)\*\*:\s*(?P<why>.+)$")
_RELEASE_HEADER = re.compile(r"^\*\*Releasing the (?P<name>[^*]+)\*\*\s*(?P<how>[^(:]*?)\s*(\([^)]*\))?:\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])")


def _is_listing(text: str) -> bool:
    """The ranked muscles ("1. **Name**: why"), said as the lead sentence instead."""
    return any(_RANKED.match(line) for line in text.splitlines())


def _custom(messages: Sequence[Message], kind: str) -> Dict[str, Any] | None:
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, dict) and custom.get("type") == kind:
            return custom
    return None


def _titles(messages: Sequence[Message]) -> List[str]:
    return [str(b["title"]) for m in messages for b in (m.get("buttons") or []) if isinstance(b, dict) and b.get("title")]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?" else text + "."


def _why_of(messages: Sequence[Message]) -> Dict[str, str]:
    """Muscle name -> the first reason its ranked line gives."""
    reasons: Dict[str, str] = {}
    for message in messages:
        for line in str(message.get("text") or "").splitlines():
            ranked = _RANKED.match(line)
            if ranked:
                first = ranked.group("why").split("; ")[0].rstrip(".")
                reasons[ranked.group("name").strip()] = plain(first).rstrip(".")
    return reasons


def lead_sentence(suggestions: Mapping[str, Any], reasons: Mapping[str, str]) -> str:
    """One sentence: the likely muscle, and why."""
    top = (suggestions.get("muscles") or [{}])[0]
    name = str(top.get("name") or "")
    why = reasons.get(name) or str(top.get("why") or "")
    return f"Most likely it's your {name}, because {why}." if why else f"Most likely it's your {name}."


def others_text(suggestions: Mapping[str, Any] | None, reasons: Mapping[str, str], then: str) -> str | None:
    muscles = list((suggestions or {}).get("muscles") or [])[1:]
    if not muscles:
        return None
    said = []
    for m in muscles:
        why = reasons.get(str(m.get("name")))
        said.append(f"the {m.get('name')}, because {why}" if why else f"the {m.get('name')}")
    joined = said[0] if len(said) == 1 else "; ".join(said[:-1]) + "; and " + said[-1]
    return f"The other likely ones are {joined}. Ask about any of them by name. {then}".strip()


@dataclass
class Release:
    name: str
    how: str  # "with your thumb"
    notes: List[str] = field(default_factory=list)  # before the steps: adapting a tool, no bar
    steps: List[str] = field(default_factory=list)
    after: List[str] = field(default_factory=list)  # cautions and the nerve warning


def release_of(text: str) -> Release | None:
    """The parts of a release message (replies.release_message)."""
    lines = [line for line in text.splitlines() if line.strip()]
    found = next(((i, m) for i, line in enumerate(lines) if (m := _RELEASE_HEADER.match(line))), None)
    if found is None:
        return None
    header, match = found
    release = Release(match.group("name").strip(), match.group("how").strip())
    release.notes = [plain(line) for line in lines[:header]]
    for line in lines[header + 1 :]:
        listed = _LISTED.match(line)
        if listed:
            release.steps.append(_sentence(plain(listed.group(2))))
        elif release.steps:
            release.after.append(plain(line))
        else:
            release.notes.append(plain(line))
    return release if release.steps else None


def fit(sentences: Sequence[str], tail: str, limit: float = MAX_SECONDS) -> List[str]:
    """`sentences` packed into parts under `limit` seconds; every part but
    the last ends with MORE, the last with `tail`."""
    parts: List[str] = []
    current: List[str] = []
    # Any sentence may turn out to be the last, so a part must have room for the longer ending.
    ending = max((MORE, tail), key=seconds_to_say)
    for sentence in sentences:
        trial = " ".join([*current, sentence, ending])
        if current and seconds_to_say(trial) > limit:
            parts.append(" ".join([*current, MORE]))
            current = []
        current.append(sentence)
    parts.append(" ".join([*current, tail]).strip())
    return [p for p in parts if p]


# "**Piriformis** (piriformis muscle, piriformus): ..." - the written aliases
# include typos people type; the ear needs only the name.
_NAME_AND_ALIASES = re.compile(r"^(\*\*[^*]+\*\*)\s*\([^)]*\):", re.MULTILINE)


def sentences_of(text: str) -> List[str]:
    return [s for s in _SENTENCE_END.split(plain(_NAME_AND_ALIASES.sub(r"\1:", text))) if s.strip()]


def _closing_sentences(text: str) -> List[str]:
    """What follows the steps, for the ear: what to check also and the first
    root cause; the written bullets and the disclaimer's detail stay on screen."""
    said: List[str] = []
    bullets = 0
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("\u2022"):
            bullets += 1
            if bullets == 1:
                said.append(_sentence(plain(line.lstrip("\u2022 "))))
            continue
        if line.startswith("_") and line.endswith("_"):
            said.append("This is self-care information, not a diagnosis: if it's severe or getting worse, see a doctor.")
            continue
        said.extend(sentences_of(line))
    return said


def spoken_screening(payload: Mapping[str, Any]) -> str:
    """The screening question for the ear: each item in its short spoken form."""
    items = default_screening().data.items
    said = [items[i["id"]].spoken if i.get("id") in items else str(i.get("text") or "") for i in payload.get("items") or []]
    return f"{QUESTION.rstrip('?')}: " + "; ".join(said[:-1]) + ("; or " if len(said) > 1 else "") + said[-1] + "?"


def script_for(messages: Sequence[Message], suggestions: Mapping[str, Any] | None = None) -> Script:
    """The spoken form of one turn's messages. `suggestions`: the latest
    muscle_suggestions payload of the conversation, for "other muscles"
    after a turn that has none of its own."""
    messages = [m for m in messages if isinstance(m, Mapping)]
    answers = tuple(_titles(messages))
    choices = spoken_choices(list(answers))
    if _custom(messages, "red_flag"):
        return Script((speakable(messages),), None, answers, whole=True)

    own = _custom(messages, "muscle_suggestions")
    reasons = _why_of(messages)
    lead = lead_sentence(own, reasons) if own and own.get("muscles") else ""
    others = others_text(own or suggestions, reasons, choices)
    names = tuple(str(m.get("name")) for m in (own or suggestions or {}).get("muscles") or [] if m.get("name"))
    screening = _custom(messages, "screening")
    if screening:
        spoken = " ".join(p for p in (lead, spoken_screening(screening), choices) if p)
        return Script((spoken,), others, answers, whole=True, names=names)

    texts = [(m, str(m.get("text") or "")) for m in messages if str(m.get("text") or "").strip()]
    release_at, release = next(((i, r) for i, (_, t) in enumerate(texts) if (r := release_of(t))), (None, None))
    if release_at is not None and release is not None:
        before = [s for _, t in texts[:release_at] if not _is_listing(t) for s in sentences_of(t)]
        closing = [s for _, t in texts[release_at + 1 :] for s in _closing_sentences(t)]
        prompt = NEXT_STEP if others else NEXT_STEP_ONLY
        intro = lead or " ".join(before)
        how = f"To release the {release.name} {release.how}, first: {release.steps[0][:1].lower()}{release.steps[0][1:]}"
        opening = " ".join(p for p in (intro, *release.notes, how, prompt if len(release.steps) > 1 or closing else choices) if p)
        if seconds_to_say(opening) > MAX_SECONDS and release.notes:
            # A long note (why not a bar) first, then the steps.
            opening = " ".join(p for p in (intro, *release.notes, MORE) if p)
            parts = [opening, " ".join((how, prompt))]
        else:
            parts = [opening]
        # One step per "next"; the cautions come with the last step (the
        # one that presses), in a part of their own when that is too long.
        rest = [[f"Step {n}: {step}"] for n, step in enumerate(release.steps[1:], 2)]
        if release.after:
            if not rest:
                rest.append([])
            rest[-1].extend(release.after)
        steps_left = len(rest)
        if closing:
            rest.append(closing)
        for i, sentences in enumerate(rest):
            tail = NEXT_STEP_ONLY if i + 1 < steps_left else MORE if i + 1 < len(rest) else " ".join(p for p in (THE_END, choices) if p)
            parts += fit(sentences, tail)
        return Script(tuple(parts), others, answers, names=names)

    sentences = [s for _, t in texts if not (own and _is_listing(t)) for s in sentences_of(t)]
    if lead:
        sentences = [lead, *[s for s in sentences if not s.startswith("Going by what you told me")]]
    tail = " ".join(p for p in (choices, "Or say other muscles." if own and others else "") if p)
    return Script(tuple(fit(sentences, tail)) if sentences or tail else (), others, answers, names=names)


# ------------------------------------------------------------ walking a script


@dataclass
class Reading:
    fingerprint: str
    position: int = 0
    slow: bool = False


@dataclass(frozen=True)
class Said:
    text: str
    slow: bool


class Readings:
    """Where each conversation is in the spoken form of its last reply, by
    sender id (bounded: the oldest are forgotten). A cluster routes a
    conversation to one server, so one process holds its place; a server
    that restarts starts the reply again from the top."""

    def __init__(self, limit: int = 10_000) -> None:
        self.limit = limit
        self._by_sender: OrderedDict[str, Reading] = OrderedDict()

    def _get(self, sender: str, script: Script) -> Reading:
        reading = self._by_sender.pop(sender, None)
        if reading is None or reading.fingerprint != script.fingerprint:
            slow = reading.slow if reading else False
            reading = Reading(script.fingerprint, 0, slow)
        self._by_sender[sender] = reading
        while len(self._by_sender) > self.limit:
            self._by_sender.popitem(last=False)
        return reading

    def start(self, sender: str, script: Script) -> Said:
        """A new reply: its first part."""
        reading = self._get(sender, script)
        reading.fingerprint, reading.position = script.fingerprint, 0
        return Said(script.parts[0] if script.parts else "", reading.slow)

    def follow(self, sender: str, script: Script, command: Command) -> Said:
        """What `command` says, about the reply `script` is the spoken form of."""
        reading = self._get(sender, script)
        if not script.parts:
            return Said(NOTHING_TO_WALK, reading.slow)
        if command is Command.stop:
            return Said(STOPPED, reading.slow)
        if command is Command.others:
            return Said(script.others or NO_OTHERS, reading.slow)
        if command is Command.slower:
            reading.slow = True
            return Said(script.parts[reading.position], True)
        if command is Command.repeat:
            return Said(script.parts[reading.position], reading.slow)
        if reading.position + 1 >= len(script.parts):
            closing = spoken_choices(list(script.answers))
            return Said(" ".join(p for p in (THE_END, closing or "Tell me how it goes, or ask me anything.") if p), reading.slow)
        reading.position += 1
        return Said(script.parts[reading.position], reading.slow)
