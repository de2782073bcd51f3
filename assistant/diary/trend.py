"""Rules that act on a complaint's trend (pure). Each names its published
source; docs/safety.md (H70-H79) has the hazard each one controls.

A change of 2 points (or 30%) on the 0-10 scale is the smallest a person
feels as a real change (Farrar et al. 2001), so smaller moves count as
"no better" and a rise of 3 or more as sharp.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import List, Sequence

from assistant.diary.entries import DAY, Entry

MEANINGFUL_CHANGE = 2
SHARP_RISE = 3
# "Regular work": check-ins on at least this many days of the two weeks.
REGULAR_CHECK_INS = 4
TWO_WEEKS = 14 * DAY
# A rise counts as sudden when it comes within a week of the entry before.
SUDDEN = 7 * DAY

FARRAR_2001 = (
    "Farrar JT et al. Clinical importance of changes in chronic pain intensity measured on an 11-point "
    "numerical pain rating scale. Pain 2001;94(2):149-158"
)
NHS_SEE_A_GP = (
    "NHS 'Knee pain', 'Hip pain' and 'Shoulder pain' pages: see a GP if the pain is getting worse, or has not "
    "improved after 2 weeks of treating it at home"
)
PERPETUATING_FACTORS = (
    "Simons DG, Travell JG, Simons LS. Myofascial Pain and Dysfunction: The Trigger Point Manual, vol. 1, "
    "2nd ed. 1999, ch. 4 (activation and perpetuating factors: overload from a new or unaccustomed activity)"
)


class Finding(str, Enum):
    worse_twice = "worse_twice"  # worse at two check-ins in a row
    no_better = "no_better"  # no meaningful change after two weeks of regular work
    sharp_rise = "sharp_rise"  # a sharp rise after a new activity


SOURCES = {
    Finding.worse_twice: NHS_SEE_A_GP,
    Finding.no_better: f"{NHS_SEE_A_GP}; {FARRAR_2001}",
    Finding.sharp_rise: f"{PERPETUATING_FACTORS}; {FARRAR_2001}",
}
# The findings that send the person to a professional (and screen again).
SEE_SOMEONE = frozenset({Finding.worse_twice, Finding.no_better})


@dataclass(frozen=True)
class Trend:
    finding: Finding
    activities: List[str]  # the new activities behind a sharp rise


def worse_twice(entries: Sequence[Entry]) -> bool:
    """The last three check-ins each higher than the one before."""
    if len(entries) < 3:
        return False
    a, b, c = entries[-3:]
    return a.score < b.score < c.score


def no_better_after_two_weeks(entries: Sequence[Entry]) -> bool:
    """Two weeks or more of regular check-ins with work done, and the score
    has not come down by a meaningful amount since the start of them."""
    if not entries:
        return False
    latest = entries[-1]
    before = [e for e in entries if e.at <= latest.at - TWO_WEEKS]
    if not before:
        return False
    start = before[-1]
    since = [e for e in entries if e.at > start.at]
    worked = [e for e in since if e.tried]
    regular = len({e.date for e in since}) + 1 >= REGULAR_CHECK_INS and len(worked) >= len(since) / 2
    return regular and start.score - latest.score < MEANINGFUL_CHANGE


def new_activities(entries: Sequence[Entry]) -> List[str]:
    """Activities of the latest entry no earlier entry mentions."""
    if not entries:
        return []
    earlier = {a for e in entries[:-1] for a in e.activities}
    return [a for a in entries[-1].activities if a not in earlier]


def sharp_rise_after_new_activity(entries: Sequence[Entry]) -> List[str]:
    """The new activities when the latest score jumped by SHARP_RISE or more
    within a week; empty otherwise."""
    if len(entries) < 2:
        return []
    before, latest = entries[-2], entries[-1]
    if latest.score - before.score < SHARP_RISE or latest.at - before.at > SUDDEN:
        return []
    return new_activities(entries)


def assess(entries: Sequence[Entry]) -> Trend | None:
    """What one complaint's entries (in time order) call for, most urgent
    first: a professional's look, then the root-cause check-up."""
    if worse_twice(entries):
        return Trend(Finding.worse_twice, [])
    if no_better_after_two_weeks(entries):
        return Trend(Finding.no_better, [])
    activities = sharp_rise_after_new_activity(entries)
    return Trend(Finding.sharp_rise, activities) if activities else None
