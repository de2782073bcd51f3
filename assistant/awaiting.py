"""The `awaiting` slot: which of the assistant's questions the next message
may answer, declared once with the moves between them (pure, no Rasa).

Every question has one action that reads its answer. A message that answers
nothing is handled as if nothing were awaited, and a red flag interrupts any
question (SafetyPolicy looks first).
"""

from __future__ import annotations

from enum import Enum
from typing import FrozenSet, Mapping


class Awaiting(str, Enum):
    area = "area"  # where it hurts (the description was too vague)
    sub_area = "sub_area"  # which part of a broad area ("knee": front, back, inside...)
    sensation = "sensation"  # what it feels like (too many muscles fit as it stands)
    screening = "screening"  # the safety questions before the first release steps of a region
    red_flag = "red_flag"  # whether the urgent-care reply fits ("it's not that")
    lift_red_flag = "lift_red_flag"  # "it's not that", confirmed once before the red flag is set aside
    red_flag_check = "red_flag_check"  # the one yes/no question about a sign asked about or doubted
    progress = "progress"  # the welcome-back question: did the method help?
    rating = "rating"  # the pain diary's "how bad is it right now, 0 to 10?"
    rating_confirm = "rating_confirm"  # "a bit better": shall I note the number it maps to?

    @classmethod
    def of(cls, value: object) -> Awaiting | None:
        """The slot's value as a state; None when nothing (or nothing known) is awaited."""
        try:
            return cls(value)
        except ValueError:
            return None


# The action that reads the answer to each question.
ANSWERED_BY: Mapping[Awaiting, str] = {
    Awaiting.area: "action_suggest_muscles",
    Awaiting.sub_area: "action_suggest_muscles",
    Awaiting.sensation: "action_suggest_muscles",
    Awaiting.screening: "action_screening_answer",
    Awaiting.red_flag: "action_yes_no",
    Awaiting.lift_red_flag: "action_yes_no",
    Awaiting.red_flag_check: "action_yes_no",
    Awaiting.progress: "action_yes_no",
    Awaiting.rating: "action_pain_rating",
    Awaiting.rating_confirm: "action_pain_rating",
}

# Answers that narrow a symptom down: they add to the features remembered
# from the message before.
CLARIFYING: FrozenSet[Awaiting] = frozenset(s for s, action in ANSWERED_BY.items() if action == "action_suggest_muscles")

# Once muscles fit: the screening when the region still needs it, the pain
# question after the release steps (once a day per complaint), else nothing.
_SUGGESTED: FrozenSet[Awaiting | None] = frozenset({Awaiting.screening, Awaiting.rating, None})

# A description answered: suggestions, or a question to narrow it down.
_DESCRIBED: FrozenSet[Awaiting | None] = _SUGGESTED | {Awaiting.area, Awaiting.sub_area, Awaiting.sensation}

# What each answer may lead to: the next question, or None.
NEXT: Mapping[Awaiting, FrozenSet[Awaiting | None]] = {
    # Still vague, a broad area, too many muscles, or out of our regions (None).
    Awaiting.area: _SUGGESTED | {Awaiting.area, Awaiting.sub_area, Awaiting.sensation},
    # The broad area is remembered, so the answer is never vague again.
    Awaiting.sub_area: _SUGGESTED | {Awaiting.sub_area, Awaiting.sensation},
    # Asked once: the answer is ranked as it stands.
    Awaiting.sensation: _SUGGESTED,
    # "Yes" asks which one and "not sure" explains: the question stays open;
    # "none of these" brings the steps, then the pain question.
    Awaiting.screening: frozenset({Awaiting.screening, Awaiting.rating, None}),
    # "It's not that" asks for one confirmation; a plain yes or no leaves
    # nothing awaited.
    Awaiting.red_flag: frozenset({Awaiting.lift_red_flag, None}),
    # Confirmed: what the correction described is answered as a description;
    # "actually, I might" keeps the red flag; neither asks again.
    Awaiting.lift_red_flag: _DESCRIBED | {Awaiting.red_flag, Awaiting.lift_red_flag},
    # "No" carries on with what the message described; "yes" is the urgent reply.
    Awaiting.red_flag_check: _DESCRIBED,
    # "Not better" offers another method, which may need the screening first.
    Awaiting.progress: _SUGGESTED,
    # Recorded; no number heard (asked again); a relative word (confirmed
    # first); a worsening trend (the region is screened again).
    Awaiting.rating: frozenset({None, Awaiting.rating, Awaiting.rating_confirm, Awaiting.screening}),
    Awaiting.rating_confirm: frozenset({None, Awaiting.rating, Awaiting.screening}),
}
