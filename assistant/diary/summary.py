"""What the diary says in words: the one-sentence spoken summary, and the
summary to take to a physiotherapist as a one-page PDF and a CSV (pure:
plain data in, text or bytes out)."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, List, Sequence, Tuple

from assistant.diary.chart import Point, Series, render
from assistant.diary.entries import DAY

NOT_A_DIAGNOSIS = (
    "Made by a self-care assistant from what the person told it. It is not a diagnosis: the muscles listed are "
    "likely sources of referred pain to check, not findings of an examination."
)


@dataclass
class Summary:
    """Everything the PDF and the CSV show, in lay words (no internal ids)."""

    made_at: float
    complaints: List[Tuple[str, str]] = field(default_factory=list)  # (complaint, how it was described)
    muscles: List[Tuple[str, str]] = field(default_factory=list)  # (muscle, why it fits)
    tried: List[Tuple[str, str]] = field(default_factory=list)  # (date, method)
    screening: List[Tuple[str, str, str]] = field(default_factory=list)  # (complaint, date, answer)
    pain: List[Series] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> Summary:
        def pairs(key: str) -> List[Tuple[str, ...]]:
            return [tuple(str(v) for v in row) for row in data.get(key) or []]

        return cls(
            made_at=float(data.get("made_at") or 0),
            complaints=pairs("complaints"),  # type: ignore[arg-type]
            muscles=pairs("muscles"),  # type: ignore[arg-type]
            tried=pairs("tried"),  # type: ignore[arg-type]
            screening=pairs("screening"),  # type: ignore[arg-type]
            pain=[
                Series(str(s["name"]), [Point(float(p["at"]), int(p["score"]), [str(m) for m in p["started"]]) for p in s["points"]])
                for s in data.get("pain") or []
            ],
        )


def _day(at: float) -> str:
    return datetime.fromtimestamp(at, timezone.utc).strftime("%-d %b %Y")


def _span(days: int) -> str:
    if days <= 1:
        return "a day"
    return f"{days} days" if days < 21 else f"{round(days / 7)} weeks"


def spoken(series: Sequence[Series]) -> str:
    """One sentence on the complaint rated last: where it went, over how
    long, and which method came before its biggest drop."""
    shown = [s for s in series if s.points]
    if not shown:
        return "There's nothing in your diary yet: after the release steps, tell me how bad it is from 0 to 10 and I'll keep track."
    lead = max(shown, key=lambda s: s.points[-1].at)
    first, last = lead.points[0], lead.points[-1]
    others = f" (the chart shows all {len(shown)} complaints)" if len(shown) > 1 else ""
    if len(lead.points) == 1:
        return f"Your {lead.name} is at {last.score} out of 10 so far{others}; rate it again in a day or two and I'll show you the trend."
    days = _span(round((last.at - first.at) / DAY))
    if last.score == first.score:
        moved = f"stayed at {last.score} over {days}"
    else:
        moved = f"went {'from' if last.score < first.score else 'up from'} {first.score} to {last.score} in {days}"
    drops = [(a.score - b.score, i) for i, (a, b) in enumerate(zip(lead.points, lead.points[1:], strict=False)) if a.score > b.score]
    before = ""
    if drops:
        _, at = max(drops)
        started = [m for p in lead.points[: at + 1] for m in p.started]
        before = f"; the biggest drop came after you started on the {started[-1]}" if started else ""
    return f"Your {lead.name} {moved}{before}{others}."


def csv_bytes(summary: Summary) -> bytes:
    out = io.StringIO()
    rows = csv.writer(out)
    rows.writerow(["section", "date", "complaint", "what", "detail"])
    for name, described in summary.complaints:
        rows.writerow(["complaint", "", name, described, ""])
    for muscle, why in summary.muscles:
        rows.writerow(["muscle", "", "", muscle, why])
    for when, method in summary.tried:
        rows.writerow(["tried", when, "", method, ""])
    for series in summary.pain:
        for point in series.points:
            rows.writerow(["pain", _day(point.at), series.name, f"{point.score}/10", "; ".join(f"started on the {m}" for m in point.started)])
    for name, when, answer in summary.screening:
        rows.writerow(["screening", when, name, answer, ""])
    rows.writerow(["note", _day(summary.made_at), "", NOT_A_DIAGNOSIS, ""])
    return out.getvalue().encode("utf-8")


def _latin(text: str) -> str:
    # The PDF's built-in fonts cover Latin-1 only.
    swapped = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    swapped = swapped.replace("\u2013", "-").replace("\u2014", "-").replace("\u2026", "...")
    return swapped.encode("latin-1", "replace").decode("latin-1")


# Lines each list may take on the page, so it stays one page.
LIMITS = {"complaints": 4, "muscles": 6, "tried": 10, "screening": 6}


def pdf_bytes(summary: Summary) -> bytes:
    """One A4 page: what was found and tried on the left, the pain chart on
    the right, the not-a-diagnosis line at the foot."""
    from fpdf import FPDF  # a 0.2 s import, needed only here

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_creation_date(datetime.fromtimestamp(summary.made_at, timezone.utc))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 9, "Pain diary summary", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 5, _latin(f"Made on {_day(summary.made_at)}"), new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y() + 3
    if summary.pain:
        chart = render(summary.pain, "png")
        pdf.image(io.BytesIO(chart), x=118, y=top, w=82)
    column = 98.0

    def section(title: str, lines: List[str], limit: int) -> None:
        pdf.set_x(pdf.l_margin)
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(column, 7, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        shown = lines[:limit] or ["None recorded."]
        if len(lines) > limit:
            shown.append(f"... and {len(lines) - limit} more (see the CSV).")
        for line in shown:
            pdf.multi_cell(column, 4.6, _latin(line), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)

    pdf.set_y(top)
    section("Complaints", [f"{n.capitalize()}: {d}" if d else n.capitalize() for n, d in summary.complaints], LIMITS["complaints"])
    section("Muscles looked at, and why", [f"{m}: {w}" if w else m for m, w in summary.muscles], LIMITS["muscles"])
    section("What was tried, and when", [f"{d}: {m}" for d, m in summary.tried], LIMITS["tried"])
    section(
        "Pain over time (0 none - 10 worst)",
        [f"{s.name.capitalize()}: " + ", ".join(f"{_day(p.at)[:-5]} {p.score}" for p in s.points[-12:]) for s in summary.pain],
        len(summary.pain),
    )
    section("Safety questions answered", [f"{n.capitalize()} ({d}): {a}" for n, d, a in summary.screening], LIMITS["screening"])
    pdf.set_xy(pdf.l_margin, 275)
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(0, 4, _latin(NOT_A_DIAGNOSIS))
    return bytes(pdf.output())
