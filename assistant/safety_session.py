"""Safety across a conversation (pure, no Rasa): signs told in different
messages combine, a raised red flag stays in force until the person
corrects it, and a sign that was only asked about or doubted gets one yes/no
question instead of a guess either way.
"""

from __future__ import annotations

import re
from typing import Iterable, List, Sequence, Tuple

from assistant.awaiting import Awaiting
from assistant.safety import RULES, Rule, Triage, says_not_that
from assistant.understand import read, triage

# How many earlier messages of the session a new one is read with.
EARLIER = 4
# Rules never left to a question: a doubtful sign of these is acted on.
NEVER_ASKED = frozenset({"self_harm"})
_SIGNS_END = re.compile(
    r",? (?:can be|can mean|can come from|should be checked|needs (?:a doctor|checking|the|to be)|is often)\b"
)
# Unsure counts as yes: safety wins.
_YES = re.compile(
    r"^\W*(?:yes|yeah|yep|yup|y|1|i do|i have|i am|it is|that's right|right|correct|affirm|maybe|not sure|i might|possibly|perhaps)\b"
)
_NO = re.compile(r"^\W*(?:no|nope|nah|n|2|i don'?t|i haven'?t|not really|none|deny)\b")


def yes_or_no(text: str) -> bool | None:
    """A yes or a no to the one red-flag question (typed, a button, or the
    phone's keypad: 1 for yes, 2 for no), or None when it is neither."""
    folded = (text or "").strip().lower()
    if _NO.match(folded):
        return False
    return True if _YES.match(folded) else None


def rule(rule_id: str) -> Rule | None:
    return next((r for r in RULES if r.id == rule_id), None)


def flagged_by(rule_id: str) -> Triage:
    """The urgent reply's triage for a rule raised earlier or confirmed by a yes."""
    found = rule(rule_id)
    return Triage(True, found.id, found.reason, found.advice) if found else Triage(False)


def latest_said(events_newest_first: Iterable[Tuple[str, str | None, float | None]]) -> List[Tuple[str | None, float | None]]:
    """(text, time) of the person's latest messages in the session, oldest
    first, from (kind, text, time) of its events newest first, kind being
    "user", "session_started" or anything else: no more than safety reads,
    so a long conversation costs no more."""
    said: List[Tuple[str | None, float | None]] = []
    for kind, text, at in events_newest_first:
        if kind == "session_started" or len(said) > EARLIER:
            break
        if kind == "user":
            said.append((text, at))
    return said[::-1]


def earlier_texts(said: Sequence[Tuple[str | None, float | None]], lifted_at: float | None = None) -> List[str]:
    """The person's own words before this turn, from (text, time) of the
    session's messages, the latest last: button payloads left out, and
    nothing from before a red flag was set aside."""
    return [
        text for text, at in said[:-1] if text and not text.startswith("/") and (lifted_at is None or (at or 0) > lifted_at)
    ][-EARLIER:]


def corrects_red_flag(awaiting: str | None, text: str) -> bool:
    """Is this message the person's correction of the urgent reply? It is
    read alone: with the message it corrects, it would only raise the same
    red flag again."""
    return awaiting == Awaiting.lift_red_flag or (awaiting == Awaiting.red_flag and says_not_that(text))


def turn_triage(current: str, earlier: Sequence[str] = ()) -> Triage:
    """The triage of this turn: the message alone; else, when it tells a sign
    of its own, read together with the earlier messages of the session (a
    calf that swelled up, then a long flight)."""
    alone = triage(current)
    if alone.check in NEVER_ASKED:
        return flagged_by(alone.check)
    if alone.flagged or not earlier or not _tells_a_sign(current):
        return alone
    before = " .\n".join(earlier[-EARLIER:])
    together = triage(f"{before} .\n{current}")
    # What the new message adds: a red flag of the person's own that the
    # earlier messages raised stands, and the advice comes again; someone
    # else's is not raised again by the writer's own pain.
    earlier_alone = triage(before)
    repeated = together.rule_id == earlier_alone.rule_id and earlier_alone.person is not None
    return together if together.flagged and not repeated else alone


def session_triage(
    text: str, awaiting: str | None, check_rule: str | None, said: Sequence[Tuple[str | None, float | None]], lifted_at: float | None
) -> Triage:
    """The triage a turn's safety reply answers: a yes to the red-flag
    question, or the message read with the session's earlier ones (`said`,
    from latest_said; none when it corrects the urgent reply)."""
    if awaiting == Awaiting.red_flag_check and check_rule:
        return flagged_by(check_rule)
    earlier = [] if corrects_red_flag(awaiting, text) else earlier_texts(said, lifted_at)
    return turn_triage(text, earlier)


def _tells_a_sign(text: str) -> bool:
    return any(f.stated and not f.assertion.other for f in read(text).of("safety"))


def signs_of(rule_id: str) -> str:
    """The signs a rule is about, in the words of its reason."""
    found = rule(rule_id)
    return _SIGNS_END.split(found.reason, maxsplit=1)[0] if found else ""
