"""Diary entries as the `pain_diary` slot holds them (plain dicts), and the
questions asked of them (pure)."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, List, Sequence, Tuple

# About half a year of daily check-ins for three complaints: the slot is sent
# with every action call, so it cannot grow without bound.
MAX_ENTRIES = 540
DAY = 86400.0


def day_of(at: float) -> str:
    return datetime.fromtimestamp(at, timezone.utc).date().isoformat()


@dataclass(frozen=True)
class Entry:
    at: float  # seconds since the epoch
    score: int  # 0 (no pain) to 10 (worst imaginable)
    region: str  # the screening region of the complaint: "knee_and_calf"
    muscle: str | None = None  # the muscle in focus when it was rated
    tried: List[str] = field(default_factory=list)  # "muscle:tool" methods in play since the entry before
    activities: List[str] = field(default_factory=list)  # activities told about the complaint

    @property
    def date(self) -> str:
        return day_of(self.at)

    def to_dict(self) -> dict:
        return {"date": self.date, **asdict(self)}

    @classmethod
    def from_dict(cls, data: Any) -> Entry | None:
        """None for anything that is not a stored entry."""
        if not isinstance(data, dict):
            return None
        try:
            return cls(
                at=float(data["at"]),
                score=int(data["score"]),
                region=str(data["region"]),
                muscle=str(data["muscle"]) if data.get("muscle") else None,
                tried=[str(t) for t in data.get("tried") or []],
                activities=[str(a) for a in data.get("activities") or []],
            )
        except (KeyError, TypeError, ValueError):
            return None


def read(slot: Any) -> List[Entry]:
    """The diary in time order (the slot's value; anything else is empty)."""
    found = [Entry.from_dict(item) for item in slot] if isinstance(slot, list) else []
    return sorted((e for e in found if e is not None), key=lambda e: e.at)


def added(slot: Any, entry: Entry) -> List[dict]:
    """The slot's new value: the entry added, the oldest dropped past MAX_ENTRIES."""
    return [e.to_dict() for e in [*read(slot), entry][-MAX_ENTRIES:]]


def of_region(entries: Iterable[Entry], region: str) -> List[Entry]:
    return [e for e in entries if e.region == region]


def last_score(entries: Sequence[Entry], region: str) -> int | None:
    mine = of_region(entries, region)
    return mine[-1].score if mine else None


def rated_today(entries: Sequence[Entry], region: str, now: float | None = None) -> bool:
    today = day_of(time.time() if now is None else now)
    return any(e.date == today for e in of_region(entries, region))


def in_play(entries: Sequence[Entry], region: str, current: str | None, tried: Sequence[str]) -> List[str]:
    """The methods worked on since the region's last entry: the one offered
    now, and any the person has said they tried that no entry lists yet."""
    listed = {t for e in of_region(entries, region) for t in e.tried}
    methods = [current] if current else []
    return [*methods, *(t for t in tried if t not in listed and t not in methods)]


def recent(entries: Sequence[Entry], now: float, weeks: int = 6) -> List[Entry]:
    """The last `weeks` weeks: what the chart shows."""
    return [e for e in entries if e.at >= now - weeks * 7 * DAY]


def regions(entries: Sequence[Entry]) -> List[str]:
    """Complaints in the order they were first rated."""
    return list(dict.fromkeys(e.region for e in entries))


def first_tried(entries: Sequence[Entry]) -> List[Tuple[Entry, List[str]]]:
    """Each entry with the methods it is the first to list for its complaint:
    where the chart and the summary mark a method's start."""
    seen: set = set()
    out = []
    for entry in entries:
        fresh = [m for m in entry.tried if (entry.region, m) not in seen]
        seen.update((entry.region, m) for m in entry.tried)
        out.append((entry, fresh))
    return out
