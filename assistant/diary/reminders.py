"""Check-in reminders read from words, and when they fall due (pure).

"Remind me every evening at 8", "remind me every Monday at 9am", "make it 9
instead", "stop the reminders". Telegram tells us no time zone, so every
time is read in one assumed zone (REMINDER_TIMEZONE, UK time by default),
and the confirmation says which. Quiet hours (22:00 to 07:00) get no
reminder unless the person named that exact time ("at 10:30 pm").
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Europe/London"
QUIET_FROM, QUIET_UNTIL = 22, 7
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# The hour a part of the day stands for when no time is given, and the half
# of the clock a bare hour ("at 8") falls in with it.
_PARTS = {"morning": (9, "am"), "afternoon": (14, "pm"), "evening": (19, "pm"), "night": (21, "pm"), "tonight": (21, "pm")}

_STOP = re.compile(
    r"\b(?:stop|cancel|end|turn off|switch off|delete|remove|no more|don'?t want)\b.{0,20}\breminders?\b"
    r"|\bdon'?t remind me\b|\bstop reminding\b"
)
_ASK = re.compile(r"\bremind(?:er)?s?\b|\bremind me\b|\bcheck[- ]?ins?\b")
_SET = re.compile(r"\b(?:remind me|set (?:up )?(?:a |my )?reminders?|(?:a |daily |weekly )reminders?|check[- ]?ins?)\b")
_CHANGE = re.compile(r"^(?:(?:can you |please )?(?:make|change|move|set|switch) (?:it|that|them|my reminders?|the reminders?)\b|instead\b)")
_TIME = re.compile(r"\b(?:at |for |to |around |about )?(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<half>am|pm|a\.m\.|p\.m\.)?(?=\W|$)")
_NOON = re.compile(r"\b(?:at )?(?P<word>noon|midday|midnight)\b")


@dataclass(frozen=True)
class Schedule:
    hour: int
    minute: int
    weekday: int | None = None  # 0 is Monday; None every day
    timezone: str = DEFAULT_TIMEZONE

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> Schedule | None:
        """None for anything that is not a stored schedule."""
        if not isinstance(data, dict):
            return None
        try:
            weekday = data.get("weekday")
            return cls(int(data["hour"]), int(data["minute"]), None if weekday is None else int(weekday), str(data["timezone"]))
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Request:
    kind: str  # "set", "change", "stop", or "quiet" (a time in quiet hours not asked for exactly)
    schedule: Schedule | None = None


@dataclass(frozen=True)
class _Time:
    hour: int
    minute: int
    exact: bool  # am/pm, a 24-hour time or "midnight": the person named this very time


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[\u2019`]", "'", (text or "").lower())).strip(" ?!.")


def _clock(text: str, half: str | None) -> _Time | None:
    """The time of day in the words; `half` ("am"/"pm") places a bare hour."""
    word = _NOON.search(text)
    if word:
        return _Time(0 if word["word"] == "midnight" else 12, 0, exact=True)
    for found in _TIME.finditer(text):
        hour, minute = int(found["hour"]), int(found["minute"] or 0)
        said = (found["half"] or "").replace(".", "")
        if hour > 23 or minute > 59 or (said and not 1 <= hour <= 12):
            continue
        if said:
            return _Time(hour % 12 + (12 if said == "pm" else 0), minute, exact=True)
        if hour >= 13 or hour == 0 or (found["minute"] and found["hour"].startswith("0")):
            return _Time(hour, minute, exact=True)
        # A bare hour: the part of the day decides, else 1 to 6 is afternoon.
        pm = half == "pm" if half else hour <= 6
        return _Time(hour % 12 + (12 if pm else 0), minute, exact=False)
    return None


def quiet(hour: int) -> bool:
    return hour >= QUIET_FROM or hour < QUIET_UNTIL


def _weekday(text: str) -> int | None:
    for number, day in enumerate(WEEKDAYS):
        if re.search(rf"\b{day[:3]}(?:{day[3:]})?s?\b", text):
            return number
    return None


def read_request(text: str, current: Schedule | None, timezone: str = DEFAULT_TIMEZONE) -> Request | None:
    """What the message asks of reminders, or None when it is about
    something else. A change ("make it 9 instead") needs a `current`
    reminder; it keeps what it does not name (the day, the half of the day)."""
    folded = _fold(text)
    if _STOP.search(folded):
        return Request("stop")
    changing = current is not None and bool(_CHANGE.search(folded))
    if not changing and not (_ASK.search(folded) and _SET.search(folded)):
        return None
    part = next((p for p in _PARTS if re.search(rf"\b{p}s?\b", folded)), None)
    weekday = _weekday(folded)
    if changing and current is not None:
        half = _PARTS[part][1] if part else ("pm" if current.hour >= 12 else "am")
        clock = _clock(folded, half)
        if clock is None and part:
            clock = _Time(_PARTS[part][0], 0, exact=False)
        if re.search(r"\b(?:every day|daily|each day)\b", folded):
            day = None
        else:
            day = weekday if weekday is not None else current.weekday
        if clock is None and day == current.weekday:
            return None
        clock = clock or _Time(current.hour, current.minute, exact=not quiet(current.hour))
        kind = "change"
    else:
        clock = _clock(folded, _PARTS[part][1] if part else None)
        if clock is None:
            clock = _Time(*(_PARTS[part][0] if part else 19, 0), exact=False)
        day = None if re.search(r"\b(?:every day|daily|each day)\b", folded) else weekday
        kind = "set"
    if quiet(clock.hour) and not clock.exact:
        kind = "quiet"
    return Request(kind, Schedule(clock.hour, clock.minute, day, timezone))


def last_due(schedule: Schedule, now: datetime) -> datetime:
    """The latest time at or before `now` (aware) the reminder fell due, in
    its zone: with the reminder, it names one fire for the claim."""
    local = now.astimezone(ZoneInfo(schedule.timezone))
    due = local.replace(hour=schedule.hour, minute=schedule.minute, second=0, microsecond=0)
    if schedule.weekday is None:
        return due - timedelta(days=1) if due > local else due
    due -= timedelta(days=(local.weekday() - schedule.weekday) % 7)
    return due - timedelta(days=7) if due > local else due


def send_now(schedule: Schedule, now: datetime) -> bool:
    """A fire sent late (a server was down at its time) wakes nobody: inside
    quiet hours only when the reminder's own time is there too."""
    local = now.astimezone(ZoneInfo(schedule.timezone))
    return not quiet(local.hour) or quiet(schedule.hour)


def when(schedule: Schedule) -> str:
    """"every evening at 8 pm" / "every Monday at 9:30 am", in lay words."""
    hour = schedule.hour % 12 or 12
    minute = f":{schedule.minute:02d}" if schedule.minute else ""
    clock = "midnight" if (schedule.hour, schedule.minute) == (0, 0) else (
        "noon" if (schedule.hour, schedule.minute) == (12, 0) else f"{hour}{minute} {'pm' if schedule.hour >= 12 else 'am'}"
    )
    day = "day" if schedule.weekday is None else WEEKDAYS[schedule.weekday].capitalize()
    return f"every {day} at {clock}"


def zone_name(timezone: str) -> str:
    """"UK time" for the default; else the zone's city: "Berlin time"."""
    return "UK time" if timezone == DEFAULT_TIMEZONE else timezone.rsplit("/", 1)[-1].replace("_", " ") + " time"
