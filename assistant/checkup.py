"""Root-cause check-up: which questions to ask, how to read the answers, and
the personalised summary (pure: no Rasa).

A question id is either a root-cause factor id from the vocabulary
("sleep_position") or a related area to check ("check:area:shoulder:opposite",
"check:muscle:adductor_longus"). Answers are kept as "question_id=answer"
strings, answer one of yes, no, unsure, skip, stop.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import List, Sequence, Tuple

from assistant.knowledge.loader import Knowledge
from assistant.knowledge.schema import CheckAlso, Muscle
from assistant.message import Message, capitalised

MAX_FACTOR_QUESTIONS = 4

# One short, lay question per root-cause factor. Factors without a question
# (trigger points elsewhere) are covered by the related-area question.
FACTOR_QUESTIONS = {
    "sleep_position": "Do you sleep on one side, or curled up with your knees pulled up towards your chest?",
    "sitting_posture": "Do you sit for long stretches, with your legs crossed or your knees higher than your hips?",
    "clenching": "Do you clench or grind your teeth, for example when you're stressed or in your sleep?",
    "overuse": "Have you changed your training lately: more squats, more running, hills or longer distances?",
    "footwear": "Are your shoes worn out, high-heeled or very flat, or did you switch shoes recently?",
    "pelvic_tilt": "Does your lower back arch a lot, with your bottom sticking out (a forward-tilted pelvis)?",
    "leg_length": "Do you tend to stand with your weight on one leg, or has anyone said one leg is longer?",
    "injury_or_surgery": "Have you had an injury or surgery around there, even a long time ago?",
    "weak_partners": "Does the hip drop or the knee cave in when you stand on one leg or climb stairs?",
    "stress": "Have you been under a lot of stress lately, or catch yourself holding your breath?",
    "inactivity": "Do you spend long periods without moving, at a desk, in a car or on the sofa?",
    "head_posture": "Does your head tend to poke forward, at a screen, over a phone or while reading?",
    "rounded_shoulders": "Do your shoulders round forward when you sit or stand, for example at a laptop?",
    "shoulder_loads": "Do you carry a heavy bag or backpack on your shoulders, or wear straps that dig in?",
    "repetitive_hand_use": "Do your hands do the same thing for hours: typing, a mouse, gripping tools or an instrument?",
}

ANSWER_BUTTONS = (("Yes", "/affirm"), ("No", "/deny"), ("Not sure", "not sure"), ("Skip", "skip"), ("Stop", "stop"))

CHECK_PREFIX = "check:"

STOP_WORDS = re.compile(r"\b(stop|quit|cancel|enough|end (it|this)|no more questions|leave it)\b")
SKIP_WORDS = re.compile(r"\b(skip|next( one| question)?|pass|move on)\b")
UNSURE_WORDS = re.compile(r"\b(not sure|unsure|maybe|perhaps|sometimes|don'?t know|dunno|no idea|possibly|kind of|sort of)\b")
YES_WORDS = re.compile(r"\b(yes|yeah|yep|yup|sure|definitely|i do|i did|i have|i am|a lot|often|always|correct|true)\b")
NO_WORDS = re.compile(r"\b(no|nope|nah|never|not really|i don'?t|i haven'?t|i didn'?t|i'?m not|rarely)\b")


def _check_id(check: CheckAlso) -> str | None:
    """The related-area question the KB asks for: an area (the opposite
    shoulder for the small glutes) or the adductors."""
    if check.area:
        return f"{CHECK_PREFIX}area:{check.area}:{check.side or 'same'}"
    if check.muscle and check.muscle.startswith("adductor"):
        return f"{CHECK_PREFIX}muscle:{check.muscle}"
    return None


def _checks(muscle: Muscle) -> List[Tuple[str, CheckAlso]]:
    return [(qid, c) for c in muscle.check_also if (qid := _check_id(c))]


def choose_questions(kb: Knowledge, muscle_ids: Sequence[str], limit: int = MAX_FACTOR_QUESTIONS) -> List[str]:
    """At most `limit` factor questions, the factors most of these muscles
    share first (ties: the first muscle's order), then one related-area check."""
    muscles = [kb.muscles[m] for m in muscle_ids if m in kb.muscles]
    order: List[str] = []
    counts: Counter = Counter()
    for muscle in muscles:
        for cause in muscle.root_causes:
            if cause.factor in FACTOR_QUESTIONS:
                counts[cause.factor] += 1
                if cause.factor not in order:
                    order.append(cause.factor)
    chosen = sorted(order, key=lambda f: (-counts[f], order.index(f)))[:limit]
    for muscle in muscles:
        checks = _checks(muscle)
        if checks:
            chosen.append(checks[0][0])
            break
    return chosen


def _check_target(kb: Knowledge, qid: str) -> str:
    """What to check, in lay words, for a related-area question id."""
    _, kind, *rest = qid.split(":")
    if kind == "area":
        area, side = rest
        return f"your {'opposite ' if side == 'opposite' else ''}{kb.areas[area].name}"
    return "the insides of your thighs (the adductors)"


def question_text(kb: Knowledge, qid: str) -> str:
    if qid.startswith(CHECK_PREFIX):
        words = _check_target(kb, qid)
        verb = "Are" if words.startswith("the insides") else "Is"
        return f"{verb} {words} sore or tight too?"
    return FACTOR_QUESTIONS[qid]


def question_message(kb: Knowledge, qid: str, number: int, total: int) -> Message:
    intro = "Let's find out why it keeps coming back: a few quick questions (say skip or stop at any time).\n" if number == 1 else ""
    return {
        "text": f"{intro}{number}/{total}. {question_text(kb, qid)}",
        "buttons": [{"title": title, "payload": payload} for title, payload in ANSWER_BUTTONS],
    }


def parse_answer(intent: str | None, text: str) -> str | None:
    """yes, no, unsure, skip or stop; None when the reply is no answer."""
    words = (text or "").strip().lower()
    if STOP_WORDS.search(words) or intent == "goodbye":
        return "stop"
    if SKIP_WORDS.search(words):
        return "skip"
    if UNSURE_WORDS.search(words):
        return "unsure"
    if intent == "affirm":
        return "yes"
    if intent == "deny":
        return "no"
    if NO_WORDS.search(words):
        return "no"
    if YES_WORDS.search(words):
        return "yes"
    return None


def record(answers: Sequence[str], qid: str, answer: str) -> List[str]:
    return [*answers, f"{qid}={answer}"]


def parsed(answers: Sequence[str]) -> List[Tuple[str, str]]:
    return [(qid, answer) for qid, sep, answer in (a.partition("=") for a in answers) if sep]


def stopped(answers: Sequence[str]) -> bool:
    return any(answer == "stop" for _, answer in parsed(answers))



def _check_lines(kb: Knowledge, muscles: Sequence[Muscle], qid: str) -> List[str]:
    words = _check_target(kb, qid)
    whys = [c.why for m in muscles for q, c in _checks(m) if q == qid]
    why = f" {whys[0]}" if whys else ""
    return [f"\u2022 Check {words} as well:{why}"]


def summary(kb: Knowledge, muscle_ids: Sequence[str], answers: Sequence[str]) -> Message:
    """The likely perpetuating factors (answered yes or not sure), each with
    the KB's advice for the muscles concerned."""
    muscles = [kb.muscles[m] for m in muscle_ids if m in kb.muscles]
    lines: List[str] = []
    for qid, answer in parsed(answers):
        if answer not in ("yes", "unsure"):
            continue
        if qid.startswith(CHECK_PREFIX):
            lines += _check_lines(kb, muscles, qid)
            continue
        texts = list(dict.fromkeys(c.text for m in muscles for c in m.root_causes if c.factor == qid))
        names = [m.name for m in muscles if any(c.factor == qid for c in m.root_causes)]
        maybe = " (you weren't sure: worth watching)" if answer == "unsure" else ""
        factor = capitalised(kb.vocabulary.root_cause_factors[qid])
        lines.append(f"\u2022 **{factor}**{maybe}, for the {' and '.join(names[:2])}: " + " ".join(texts[:2]))
    opening = "OK, we'll stop the check-up here. " if stopped(answers) else ""
    if not lines:
        return {
            "text": opening
            + (
                "None of the usual reasons stood out. If it keeps coming back anyway, a physiotherapist can look at "
                "how you move and what loads that muscle."
            )
        }
    return {
        "text": "\n".join(
            [
                f"{opening}Here's what most likely keeps it coming back, and what to change:",
                *lines,
                "Change one thing at a time and keep releasing gently; if nothing shifts in two weeks, see a physiotherapist.",
            ]
        )
    }
