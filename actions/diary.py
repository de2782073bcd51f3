"""The pain diary: the 0-10 question after release steps, the answers to it,
the progress chart, the summary for a physiotherapist, "stop asking me".
Logic and wording live in assistant/diary/; the entries live in the
`pain_diary` slot, so the tracker store keeps them with the conversation
and "delete my data" erases them with it."""

from __future__ import annotations

import abc
import secrets
import time
from typing import Any, Dict, List, Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import awaited, awaiting, current_muscle, kb, message_features, send, slot_list
from assistant import replies
from assistant.awaiting import Awaiting
from assistant.diary import entries as diary
from assistant.diary import messages, summary, trend
from assistant.diary.chart import Point, Series
from assistant.diary.rating import REJECTED, Rating, confirmation, parse_rating
from assistant.features import Features
from assistant.knowledge.schema import Muscle
from assistant.matching import Status, default_matcher
from assistant.message import Message
from assistant.screening import default_screening

LINK_SECONDS = messages.LINK_HOURS * 3600
SCREENING_ANSWERS = {"none": "none of the warning signs applied", "unsure": "not sure", "asked": "not sure"}


def region_of(muscle: Muscle | None) -> str | None:
    """The complaint a muscle's ratings belong to: its screening region."""
    return default_screening().region_for(muscle.region) if muscle else None


def region_name(region: str) -> str:
    regions = default_screening().data.regions
    return regions[region].name if region in regions else region.replace("_", " ")


def method_label(method: str) -> str:
    """"vastus_medialis:thumb" in words: "Vastus medialis with your thumb"."""
    muscle_id, _, tool = method.partition(":")
    muscle = kb().muscles.get(muscle_id)
    try:
        how = replies.with_tool(kb(), tool)
    except KeyError:
        how = ""
    return f"{muscle.name if muscle else muscle_id.replace('_', ' ')} {how}".strip()


def ask_rating(dispatcher: CollectingDispatcher, tracker: Tracker, muscle: Muscle | None) -> List[EventType]:
    """After release steps: the 0-10 question, once a day per complaint,
    unless the person turned it off or a red flag stands. Callers put it
    after any screening, so it never comes before one."""
    region = region_of(muscle)
    if region is None or tracker.get_slot("rating_off") or slot_list(tracker, "red_flags"):
        return []
    entries = diary.read(tracker.get_slot("pain_diary"))
    asked = f"{diary.day_of(time.time())}:{region}"
    if tracker.get_slot("rating_asked") == asked or diary.rated_today(entries, region):
        return []
    send(dispatcher, [messages.question(region_name(region), first=not diary.of_region(entries, region))])
    return [awaiting(Awaiting.rating), SlotSet("rating_asked", asked)]


def series(entries: Sequence[diary.Entry], shown: Sequence[diary.Entry]) -> List[Series]:
    """Chart series per complaint for the `shown` entries; a method is marked
    where it first appears in the whole diary."""
    started = {(e.at, e.region): [method_label(m) for m in fresh] for e, fresh in diary.first_tried(entries)}
    return [
        Series(region_name(region), [Point(e.at, e.score, started.get((e.at, e.region), [])) for e in diary.of_region(shown, region)])
        for region in diary.regions(shown)
    ]


def mint(tracker: Tracker, kind: str, content: summary.Summary, now: float) -> tuple:
    """A new link token and the `diary_exports` slot holding it (expired links dropped)."""
    token = secrets.token_urlsafe(32)
    exports = tracker.get_slot("diary_exports")
    live = {t: e for t, e in (exports or {}).items() if isinstance(e, dict) and float(e.get("expires") or 0) > now}
    live[token] = {"kind": kind, "expires": now + LINK_SECONDS, "summary": content.to_dict()}
    return token, SlotSet("diary_exports", live)


class ActionPainRating(Action):
    """Reads a 0-10 rating (the answer to the question, its confirmation, or
    one offered unasked), stores it and acts on the complaint's trend."""

    def name(self) -> str:
        return "action_pain_rating"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        muscle = current_muscle(tracker)
        region = region_of(muscle)
        if muscle is None or region is None:
            dispatcher.utter_message(text=messages.WHERE_FIRST)
            return [awaiting(None)]
        text = tracker.latest_message.get("text") or ""
        entries = diary.read(tracker.get_slot("pain_diary"))
        last = diary.last_score(entries, region)
        name = region_name(region)
        if awaited(tracker) is Awaiting.rating_confirm:
            proposed = int(tracker.get_slot("rating_proposed") or 0)
            answer = confirmation(text, proposed)
            if answer is not None and answer != REJECTED:
                return self.record(dispatcher, tracker, muscle, region, Rating(answer, exact=True))
            send(dispatcher, [messages.ask_for_number(name)])
            return [awaiting(Awaiting.rating), SlotSet("rating_proposed", None)]
        rating = parse_rating(text, last)
        if rating is None:
            send(dispatcher, [messages.ask_for_number(name)])
            return [awaiting(Awaiting.rating)]
        if not rating.exact and last is not None:
            send(dispatcher, [messages.confirm(name, rating.score, last)])
            return [awaiting(Awaiting.rating_confirm), SlotSet("rating_proposed", float(rating.score))]
        return self.record(dispatcher, tracker, muscle, region, rating)

    def record(self, dispatcher: CollectingDispatcher, tracker: Tracker, muscle: Muscle, region: str, rating: Rating) -> List[EventType]:
        now = time.time()
        entries = diary.read(tracker.get_slot("pain_diary"))
        tools, tried = slot_list(tracker, "tools"), slot_list(tracker, "tried")
        offered = replies.last_method(kb(), muscle, tools, tried)
        said = Features.from_dict(tracker.get_slot("features")).activities
        told = message_features(tracker).activities
        entry = diary.Entry(
            at=now,
            score=rating.score,
            region=region,
            muscle=muscle.id,
            tried=diary.in_play(entries, region, offered, tried),
            activities=list(dict.fromkeys([*said, *told])),
        )
        stored = diary.added(tracker.get_slot("pain_diary"), entry)
        name = region_name(region)
        out: List[Message] = [messages.acknowledged(rating.score, region, name, diary.last_score(entries, region))]
        events: List[EventType] = [SlotSet("pain_diary", stored), SlotSet("rating_proposed", None), awaiting(None)]
        found = trend.assess(diary.of_region(diary.read(stored), region))
        if found is not None:
            names = [kb().term("activities", a).name for a in found.activities if _known_activity(a)]
            out.append(messages.trend_message(found, name, names))
        if found is not None and found.finding in trend.SEE_SOMEONE:
            # Screen the region again: its answer no longer counts.
            screening = {k: v for k, v in (tracker.get_slot("screening") or {}).items() if k != region}
            out += default_screening().question(region)
            events += [SlotSet("screening", screening), SlotSet("screening_region", region), awaiting(Awaiting.screening)]
        send(dispatcher, out)
        return events


def _known_activity(ident: str) -> bool:
    try:
        kb().term("activities", ident)
    except KeyError:
        return False
    return True


class DiaryView(Action, abc.ABC):
    """An action that shows the diary: it answers from the entries and the
    time. Abstract, so the action server does not register it."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        return self.answer(dispatcher, tracker, diary.read(tracker.get_slot("pain_diary")), time.time())

    @abc.abstractmethod
    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, entries: List[diary.Entry], now: float) -> List[EventType]:
        """The reply and the slot events."""


class ActionShowProgress(DiaryView):
    def name(self) -> str:
        return "action_show_progress"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, entries: List[diary.Entry], now: float) -> List[EventType]:
        shown = diary.recent(entries, now)
        if not shown:
            dispatcher.utter_message(text=messages.NOTHING_YET)
            return []
        lines = series(entries, shown)
        token, export = mint(tracker, "progress", summary.Summary(made_at=now, pain=lines), now)
        paths = messages.paths(token)
        labelled = [
            {"date": e.date, "score": e.score, "region": e.region, "tried": [method_label(m) for m in e.tried]} for e in shown
        ]
        send(
            dispatcher,
            [
                {
                    "text": summary.spoken(lines),
                    "custom": {"type": "progress", "image": paths["chart_svg"], "entries": labelled},
                    "buttons": [messages.SUMMARY_BUTTON],
                },
                {"image": paths["chart_png"]},
            ],
        )
        return [export]


class ActionMakeSummary(DiaryView):
    def name(self) -> str:
        return "action_make_summary"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, entries: List[diary.Entry], now: float) -> List[EventType]:
        content = self.summary(tracker, entries, now)
        if not content.pain and not content.muscles:
            dispatcher.utter_message(text=messages.NOTHING_TO_SUMMARISE)
            return []
        token, export = mint(tracker, "summary", content, now)
        paths = messages.paths(token)
        send(dispatcher, [{"text": messages.SUMMARY_READY, "custom": {"type": "summary", "pdf": paths["pdf"], "csv": paths["csv"]}}])
        return [export]

    @staticmethod
    def summary(tracker: Tracker, entries: Sequence[diary.Entry], now: float) -> summary.Summary:
        features = Features.from_dict(tracker.get_slot("features"))
        focus = region_of(current_muscle(tracker))
        described = ", ".join([*features.areas.values(), *features.sensations.values(), *features.activities.values()])
        complaints = [(region_name(r), described if r == focus else "") for r in diary.regions(entries)]
        if focus and focus not in diary.regions(entries):
            complaints.insert(0, (region_name(focus), described))
        ranked = default_matcher().rank(features)
        why = {s.muscle_id: replies.why_line(kb(), s) for s in ranked.suggestions} if ranked.status is Status.ok else {}
        ids = [*slot_list(tracker, "suggested_muscles"), *(e.muscle for e in entries if e.muscle)]
        muscles = [(kb().muscles[m].name, why.get(m, "")) for m in dict.fromkeys(ids) if m in kb().muscles]
        tried = [(e.date, method_label(m)) for e, fresh in diary.first_tried(entries) for m in fresh]
        said_tried = {m for e in entries for m in e.tried}
        tried += [("", method_label(m)) for m in slot_list(tracker, "tried") if m not in said_tried]
        screened = []
        for region, answer in (tracker.get_slot("screening") or {}).items():
            if isinstance(answer, dict):
                item = default_screening().data.items.get(str(answer.get("item") or ""))
                said = f"yes: {item.text}" if item else SCREENING_ANSWERS.get(str(answer.get("answer")), str(answer.get("answer")))
                screened.append((region_name(region), diary.day_of(float(answer.get("at") or now)), said))
        return summary.Summary(
            made_at=now, complaints=complaints, muscles=muscles, tried=tried, screening=screened, pain=series(entries, entries)
        )


class ActionStopAsking(Action):
    def name(self) -> str:
        return "action_stop_asking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        dispatcher.utter_message(text=messages.STOPPED)
        events: List[EventType] = [SlotSet("rating_off", True), SlotSet("rating_proposed", None)]
        if awaited(tracker) in (Awaiting.rating, Awaiting.rating_confirm):
            events.append(awaiting(None))
        return events
