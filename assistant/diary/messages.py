"""The diary's replies in words, and the link paths (pure)."""

from __future__ import annotations

from typing import Dict, List

from assistant.diary.trend import Finding, Trend
from assistant.message import Message

QUESTION = "How bad is it right now, 0 to 10? (0 is no pain at all, 10 the worst you can imagine.)"
SUMMARY_BUTTON = {"title": "Make a summary for my physio", "payload": "/make_summary"}
PROGRESS_BUTTON = {"title": "Show my progress", "payload": "/show_progress"}
ROOT_CAUSE_BUTTON = {"title": "Why does it keep coming back?", "payload": "/ask_root_cause"}
STOPPED = (
    "Okay, I won't ask for a score any more. If you'd like to note one, just tell me a number from 0 to 10 "
    "whenever you like."
)
WHERE_FIRST = "Tell me where it hurts and what it feels like first, and I'll keep track of it from there."
NOTHING_YET = (
    "There's nothing in your diary yet. After the release steps I'll ask how bad it is from 0 to 10, "
    "or just tell me a number any time."
)
NOTHING_TO_SUMMARISE = (
    "There's nothing to put in a summary yet. Tell me where it hurts, and once we've looked at it and you've "
    "rated it a few times, I can make one for your physio."
)
SUMMARY_READY = (
    "Here's a one-page summary to take to your physiotherapist: your complaints, the muscles we looked at and "
    "why, what you tried and when, your pain scores and your answers to the safety questions. The links are "
    "yours alone and work for an hour; \"delete my data\" ends them at once."
)
LINK_HOURS = 1


def question(region_name: str, first: bool) -> Message:
    """The 0-10 question with a button per score."""
    lead = f"Before you start, one quick check on your {region_name}: " if first else f"A quick check on your {region_name}: "
    text = lead + QUESTION[0].lower() + QUESTION[1:] + " Say \"stop asking me\" if you'd rather I didn't."
    return {"text": text, "buttons": [{"title": str(n), "payload": str(n)} for n in range(11)]}


def ask_for_number(region_name: str) -> Message:
    return {
        "text": f"What number would you give your {region_name} right now, from 0 (no pain) to 10 (the worst you can imagine)?",
        "buttons": [{"title": str(n), "payload": str(n)} for n in range(11)],
    }


def confirm(region_name: str, proposed: int, last: int) -> Message:
    return {
        "text": f"Last time your {region_name} was a {last}. Shall I note {proposed} out of 10 for today?",
        "buttons": [{"title": f"Yes, {proposed}", "payload": "/affirm"}, *(
            {"title": str(n), "payload": str(n)} for n in (proposed - 1, proposed + 1) if 0 <= n <= 10
        )],
    }


def acknowledged(score: int, region: str, region_name: str, last: int | None) -> Message:
    before = f" (last time {last})" if last is not None else ""
    return {
        "text": f"Noted: {score} out of 10 for your {region_name} today{before}. Say \"how am I doing?\" any time to see the chart.",
        "custom": {"type": "pain_rating", "score": score, "region": region},
        "buttons": [PROGRESS_BUTTON],
    }


def trend_message(trend: Trend, region_name: str, activity_names: List[str]) -> Message:
    if trend.finding is Finding.worse_twice:
        why = f"Your {region_name} has got worse at two check-ins in a row."
    elif trend.finding is Finding.no_better:
        why = f"After two weeks of regular work, your {region_name} is no better."
    else:
        doing = " and ".join(activity_names) or "something new"
        return {
            "text": (
                f"That's a big jump since last time, and it came after {doing}. A new activity is one of the most "
                "common reasons trigger points flare up. Shall we look at what might be keeping it going?"
            ),
            "buttons": [ROOT_CAUSE_BUTTON],
        }
    return {
        "text": (
            f"{why} That's the point to stop working on it alone: please book a physiotherapist or your doctor to "
            "look at it. I can make a summary for you to take along. Before you press on it again, let's go "
            "through the safety questions once more."
        ),
        "buttons": [SUMMARY_BUTTON],
    }


def paths(token: str) -> Dict[str, str]:
    """Where the server answers for this link's files."""
    base = f"/diary/{token}"
    return {
        "chart_svg": f"{base}/chart.svg",
        "chart_png": f"{base}/chart.png",
        "pdf": f"{base}/summary.pdf",
        "csv": f"{base}/summary.csv",
    }


def _scale() -> List[dict]:
    return [{"title": str(n), "payload": str(n)} for n in range(11)]


def check_in(region_name: str | None) -> Message:
    """The reminder itself: one short message that opens the 0-10 question."""
    what = f"your {region_name}" if region_name else "the pain"
    return {"text": f"Time for your check-in: how is {what} today, 0 to 10?", "buttons": _scale()}


CHECK_IN_RED_FLAG = (
    "Time for your check-in. Earlier you told me something that a doctor should look at first: "
    "please get that checked before you work on it again."
)
REMINDERS_STOPPED = "Okay, no more check-in reminders. Say \"remind me every evening at 8\" whenever you'd like them back."
NO_REMINDERS = "You have no check-in reminders at the moment. Say \"remind me every evening at 8\" if you'd like one."
REMINDERS_TELEGRAM_ONLY = (
    "Reminders come through Telegram for now. Here, just tell me a number from 0 to 10 whenever you like, "
    "and say \"how am I doing?\" to see the chart."
)
QUIET_HOURS = (
    "That would be in the night (10 pm to 7 am), so I haven't set it. If you really want it then, tell me the "
    "exact time, like \"at 10:30 pm\"."
)


def reminder_set(when: str, zone: str, changed: bool) -> Message:
    lead = "Changed: I'll now check in" if changed else "Done: I'll check in"
    return {
        "text": (
            f"{lead} {when}, {zone}, and ask how it is from 0 to 10. Telegram doesn't tell me your time zone, "
            f"so I go by {zone}: if you live elsewhere, give me the time in {zone}. "
            "Say \"make it 9 instead\" to change it or \"stop the reminders\" to end them."
        )
    }
