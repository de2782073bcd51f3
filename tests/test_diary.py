"""The pain diary's pure parts: reading ratings, the trend rules, the
entries, the spoken summary, and drawing the chart, the PDF and the CSV."""

from __future__ import annotations

import csv
import io
import re
import zlib

import pytest

from assistant.diary import entries as diary
from assistant.diary.chart import Point, Series, render
from assistant.diary.rating import REJECTED, asks_to_stop, confirmation, parse_rating
from assistant.diary.summary import NOT_A_DIAGNOSIS, Summary, csv_bytes, pdf_bytes, spoken
from assistant.diary.trend import Finding, assess, no_better_after_two_weeks, sharp_rise_after_new_activity, worse_twice

DAY = 86400.0
START = 1_780_000_000.0  # a fixed moment: the same diary gives the same answers


@pytest.mark.parametrize(
    "text, score, exact",
    [
        ("6", 6, True),
        ("6/10", 6, True),
        ("7 out of 10", 7, True),
        ("about a six", 6, True),
        ("I'd say 7 today", 7, True),
        ("it's a 4", 4, True),
        ("Six.", 6, True),
        ("0", 0, True),
        ("ten", 10, True),
        ("6 or 7", 7, False),  # a range is rounded up and confirmed
        ("5-6", 6, False),
        ("6.5", 7, False),
    ],
)
def test_scores_are_read(text: str, score: int, exact: bool) -> None:
    rating = parse_rating(text, None)
    assert rating is not None and (rating.score, rating.exact) == (score, exact)


@pytest.mark.parametrize(
    "text, score",
    [("a bit better", 5), ("better", 4), ("much better", 3), ("worse", 8), ("a little worse", 7), ("the same", 6), ("no better", 6)],
)
def test_relative_words_map_against_the_last_entry(text: str, score: int) -> None:
    rating = parse_rating(text, 6)
    assert rating is not None and rating.score == score and not rating.exact


def test_relative_words_stay_inside_the_scale_and_need_a_last_entry() -> None:
    assert parse_rating("much worse", 9).score == 10  # type: ignore[union-attr]
    assert parse_rating("much better", 1).score == 0  # type: ignore[union-attr]
    assert parse_rating("a bit better", None) is None


@pytest.mark.parametrize(
    "text",
    ["11", "I did 3 rounds", "3 times a day", "my knee hurts", "yes", "what is a trigger point?", "/deny", "", "I'm 72"],
)
def test_other_messages_are_no_rating(text: str) -> None:
    assert parse_rating(text, 5) is None


def test_a_note_after_the_score_is_kept() -> None:
    rating = parse_rating("8 since I started running again", 5)
    assert rating is not None and rating.score == 8 and rating.note == "i started running again"


def test_confirmation_of_a_proposed_score() -> None:
    assert confirmation("yes", 5) == 5
    assert confirmation("/affirm", 5) == 5
    assert confirmation("no", 5) == REJECTED
    assert confirmation("4", 5) == 4
    assert confirmation("what do you mean", 5) is None


def test_stop_asking_is_heard() -> None:
    assert asks_to_stop("stop asking me")
    assert asks_to_stop("please don't ask me to rate it")
    assert not asks_to_stop("stop, it hurts when I press")


def _entries(scores, days=1.0, tried=("vastus_medialis:thumb",), activities=None):
    activities = activities or [[] for _ in scores]
    return [
        diary.Entry(at=START + i * days * DAY, score=s, region="knee_and_calf", tried=list(tried), activities=list(a))
        for i, (s, a) in enumerate(zip(scores, activities, strict=True))
    ]


def test_worse_at_two_check_ins_in_a_row() -> None:
    assert worse_twice(_entries([4, 5, 6]))
    assert not worse_twice(_entries([4, 6, 6]))
    assert not worse_twice(_entries([5, 6]))
    assert assess(_entries([3, 4, 5])).finding is Finding.worse_twice  # type: ignore[union-attr]


def test_no_better_after_two_weeks_of_regular_work() -> None:
    assert no_better_after_two_weeks(_entries([6, 6, 5, 6, 5, 6, 5], days=2.5))
    # Down by the smallest change a person feels (2 points): better.
    assert not no_better_after_two_weeks(_entries([6, 6, 5, 5, 4, 4, 4], days=2.5))
    # Under two weeks, or too few check-ins to call it regular work.
    assert not no_better_after_two_weeks(_entries([6, 6, 6, 6, 6], days=3))
    assert not no_better_after_two_weeks(_entries([6, 6], days=15))
    # Check-ins without anything tried are no "work" on it.
    assert not no_better_after_two_weeks(_entries([6, 6, 6, 6, 6, 6, 6], days=2.5, tried=()))


def test_a_sharp_rise_after_a_new_activity() -> None:
    rise = _entries([3, 3, 7], activities=[["walking"], ["walking"], ["running"]])
    assert sharp_rise_after_new_activity(rise) == ["running"]
    found = assess(rise)
    assert found is not None and found.finding is Finding.sharp_rise and found.activities == ["running"]
    # The same rise without anything new, or a small one: nothing to act on.
    assert sharp_rise_after_new_activity(_entries([3, 3, 7], activities=[["running"]] * 3)) == []
    assert sharp_rise_after_new_activity(_entries([3, 3, 5], activities=[[], [], ["running"]])) == []
    # A week or more apart is no sudden rise.
    assert sharp_rise_after_new_activity(_entries([3, 7], days=8, activities=[[], ["running"]])) == []


def test_a_professional_comes_before_the_check_up() -> None:
    both = _entries([2, 4, 7], activities=[[], [], ["running"]])
    assert assess(both).finding is Finding.worse_twice  # type: ignore[union-attr]
    assert assess(_entries([6, 5, 4])) is None


def test_entries_round_trip_and_the_diary_is_capped() -> None:
    entry = diary.Entry(at=START, score=6, region="knee_and_calf", muscle="vastus_medialis", tried=["vastus_medialis:thumb"])
    assert diary.Entry.from_dict(entry.to_dict()) == entry
    assert entry.to_dict()["date"] == diary.day_of(START)
    assert diary.Entry.from_dict({"score": "x"}) is None
    full = [entry.to_dict()] * diary.MAX_ENTRIES
    assert len(diary.added(full, entry)) == diary.MAX_ENTRIES


def test_methods_in_play_and_where_each_started() -> None:
    first = diary.Entry(at=START, score=6, region="knee_and_calf", tried=["vastus_medialis:thumb"])
    assert diary.in_play([first], "knee_and_calf", "vastus_medialis:thumb", ["rectus_femoris:thumb"]) == [
        "vastus_medialis:thumb",
        "rectus_femoris:thumb",
    ]
    second = diary.Entry(at=START + DAY, score=5, region="knee_and_calf", tried=["vastus_medialis:thumb", "rectus_femoris:thumb"])
    assert [fresh for _, fresh in diary.first_tried([first, second])] == [["vastus_medialis:thumb"], ["rectus_femoris:thumb"]]


def _series() -> list:
    knee = Series("knee and calf", [Point(START, 7, ["Vastus medialis with your thumb"]), Point(START + 3 * DAY, 6), Point(START + 6 * DAY, 3), Point(START + 10 * DAY, 3)])
    back = Series("lower back", [Point(START - DAY, 5), Point(START + 2 * DAY, 5)])
    return [back, knee]


def test_the_spoken_summary_is_one_sentence_about_the_latest_complaint() -> None:
    said = spoken(_series())
    assert said == (
        "Your knee and calf went from 7 to 3 in 10 days; the biggest drop came after you started on the "
        "Vastus medialis with your thumb (the chart shows all 2 complaints)."
    )
    assert len(said.split()) < 40  # well under 15 s spoken
    assert spoken([Series("jaw", [Point(START, 4)])]).startswith("Your jaw is at 4 out of 10 so far")
    assert "stayed at 5" in spoken([Series("lower back", [Point(START, 5), Point(START + DAY, 5)])])


def _thirty_entries() -> list:
    names = ("knee and calf", "lower back", "hip and thigh")
    return [
        Series(name, [Point(START + (i * 3 + k) * DAY / 3 * 2.8, (7 + k - i // 2) % 11, ["Vastus medialis with your thumb"] if i == 2 else []) for i in range(10)])
        for k, name in enumerate(names)
    ]


def test_the_chart_draws_as_png_and_svg_with_a_panel_per_complaint() -> None:
    png = render(_thirty_entries(), "png")
    assert png.startswith(b"\x89PNG")
    width = int.from_bytes(png[16:20], "big")
    assert width == 720  # 360 px at twice the density
    svg = render(_thirty_entries(), "svg").decode("utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    # Three complaints, three marker shapes: colour is never the only difference.
    assert svg.count('id="m') >= 3
    assert render([], "png").startswith(b"\x89PNG")


def _summary() -> Summary:
    return Summary(
        made_at=START + 11 * DAY,
        complaints=[("knee and calf", "knee, buckles, going down stairs")],
        muscles=[("Vastus medialis", 'a classic sign is "knee buckles"')],
        tried=[("2026-05-28", "Vastus medialis with your thumb")],
        screening=[("knee and calf", "2026-05-28", "none of the warning signs applied")],
        pain=_series(),
    )


def _pdf_text(pdf: bytes) -> str:
    """The text drawn on the page (fpdf2 compresses each page's stream)."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    out = []
    for raw in streams:
        try:
            out.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            continue
    return "".join(out)


def test_the_pdf_is_one_page_with_every_section_and_the_not_a_diagnosis_line() -> None:
    pdf = pdf_bytes(_summary())
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    text = _pdf_text(pdf)
    for words in ("Pain diary summary", "Muscles looked at", "Vastus medialis", "What was tried", "Safety questions", "not a diagnosis"):
        assert words in text
    assert b"/Subtype /Image" in pdf  # the chart


def test_the_pdf_stays_one_page_with_a_long_history() -> None:
    long = _summary()
    long.tried = [("2026-05-28", f"method {i}") for i in range(40)]
    long.muscles = [(f"Muscle {i}", "a very long reason " * 6) for i in range(20)]
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf_bytes(long))) == 1


def test_the_csv_has_every_section() -> None:
    rows = list(csv.reader(io.StringIO(csv_bytes(_summary()).decode("utf-8"))))
    assert rows[0] == ["section", "date", "complaint", "what", "detail"]
    sections = {r[0] for r in rows[1:]}
    assert sections == {"complaint", "muscle", "tried", "pain", "screening", "note"}
    assert sum(r[0] == "pain" for r in rows) == 6
    assert rows[-1][3] == NOT_A_DIAGNOSIS


def test_the_summary_survives_the_slot() -> None:
    again = Summary.from_dict(_summary().to_dict())
    assert again == _summary()
