"""Reply content for every channel (pure: dicts, no Rasa).

A message is a dict with any of "text", "buttons" ([{title, payload}]) and
"custom" (machine-readable payload). Channels render what they can.
"""

from __future__ import annotations

import json
from typing import Dict, List, Sequence, Tuple
from urllib.parse import urlencode

from assistant import misheard, safety_session
from assistant.awaiting import Awaiting
from assistant.features import Features
from assistant.knowledge import danger
from assistant.knowledge.loader import Knowledge
from assistant.knowledge.schema import Muscle, ReferralKind, Release
from assistant.matching import MatchResult, Suggestion
from assistant.message import Message, capitalised
from assistant.safety import Triage
from assistant.sides import pictured_side
from assistant.textmatch import phrase_stems

DISCLAIMER = (
    "_This is self-care information, not a diagnosis. If the pain is severe, keeps getting worse, "
    "or hasn't improved after two weeks of gentle work, please see a doctor or physiotherapist._"
)
ROOT_CAUSE_REMINDER = "A trigger point that keeps coming back has a reason. Worth fixing:"
# Everyone has these, whatever else they lack.
ALWAYS_AT_HAND = ["thumb", "hands"]
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}
EASE_WORDS = {"easy": "easy", "moderate": "takes some practice", "hard": "intense"}

# Areas offered when we don't know where it hurts yet: lay titles, best
# spread over the regions we cover.
AREA_BUTTONS = (
    "side_of_hip",
    "buttock",
    "groin",
    "front_of_thigh",
    "outside_of_thigh",
    "inside_of_thigh",
    "back_of_thigh",
    "knee",
    "lower_back",
    "calf",
    "jaw",
)
SENSATION_BUTTONS = ("ache", "burning", "sharp", "numbness", "stiffness", "buckling")


def payload(intent: str, **entities: str) -> str:
    return f"/{intent}" + (json.dumps(entities) if entities else "")


def button(title: str, intent: str, **entities: str) -> Dict[str, str]:
    return {"title": title, "payload": payload(intent, **entities)}



def _areas_text(kb: Knowledge, muscle: Muscle, kind: ReferralKind) -> str:
    names = [kb.areas[r.area].name for r in muscle.referral if r.kind is kind]
    return _join(names)


def _join(items: Sequence[str]) -> str:
    items = list(dict.fromkeys(items))
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# How each kind of evidence reads in the "why" line, with the person's words.
WHY_TEMPLATES = {
    "muscle": "you named it (\u201c{}\u201d)",
    "group": "it is one of the muscles you named (\u201c{}\u201d)",
    "area": "it often sends pain to where you feel it (\u201c{}\u201d)",
    "condition": "its pain is often mistaken for {}",
    "activity": "{} tends to set it off",
    "sensation": "it can feel like that (\u201c{}\u201d)",
    "symptom": "a classic sign is \u201c{}\u201d",
}


def why_line(kb: Knowledge, suggestion: Suggestion) -> str:
    """One line tying a muscle to the person's own words."""
    muscle = kb.muscles[suggestion.muscle_id]
    parts = [WHY_TEMPLATES[kind].format(surface) for kind, surface in suggestion.reasons[:2]]
    reason = "; ".join(parts) if parts else f"its pain zone covers the {_areas_text(kb, muscle, ReferralKind.essential)}"
    return f"**{muscle.name}**: {reason}."


def release_tip(kb: Knowledge, release: Release) -> str:
    """One line for a card: the tool and the step that finds the spot."""
    step = release.steps[1] if len(release.steps) > 1 else release.steps[0]
    return f"{capitalised(with_tool(kb, release.tool))}: {step}"


def suggestions_payload(kb: Knowledge, result: MatchResult, features: Features) -> Dict[str, object]:
    muscles: List[Dict[str, object]] = []
    for s in result.suggestions:
        muscle = kb.muscles[s.muscle_id]
        release = choose_method(kb, muscle, [], [])
        muscles.append(
            {
                "id": s.muscle_id,
                "name": s.name,
                "score": s.score,
                "why": s.why,
                "zones": [{"area": r.area, "kind": r.kind.value} for r in muscle.referral],
                "release_tip": release_tip(kb, release[0]) if release else None,
                "caution": muscle.cautions[0].text if muscle.cautions else None,
            }
        )
    ids = [s.muscle_id for s in result.suggestions]
    return {
        "type": "muscle_suggestions",
        "red_flag": False,
        "side": features.side,
        "muscles": muscles,
        "bodymap": bodymap_path(ids, features.side, "svg"),
        "bodymap_png": bodymap_path(ids, features.side, "png"),
    }


def bodymap_path(muscle_ids: Sequence[str], side: str | None, fmt: str) -> str:
    """Where the channel serves the picture of these muscles' pain zones."""
    query = {"muscles": ",".join(muscle_ids)}
    pictured = pictured_side(side)
    if pictured:
        query["side"] = pictured
    return f"/bodymap.{fmt}?{urlencode(query, safe=',')}"


def method_label(kb: Knowledge, release: Release) -> str:
    return kb.term("tools", release.tool).name


def with_tool(kb: Knowledge, tool: str) -> str:
    article = "your" if tool in ALWAYS_AT_HAND else "a"
    return f"with {article} {kb.term('tools', tool).name}"


def _kept_out_note(kb: Knowledge, tool: str, zone_name: str) -> str:
    """Why a ball or a stick may not stand in for the hands on this spot."""
    return (
        f"Please leave the {kb.term('tools', tool).name} out of this one: the spot is close to {zone_name}, where big blood "
        "vessels and nerves lie just under the skin, so only gentle hands are safe there."
    )


def choose_method(kb: Knowledge, muscle: Muscle, tools: Sequence[str], tried: Sequence[str]) -> Tuple[Release, str | None] | None:
    """Best release method for the tools at hand, skipping ones tried.

    Returns the method and, when the person's tool only stands in for the
    method's tool, a note saying how to adapt. A ball, a roller or a stick
    never stands in for hands that work near a danger zone: the loader checks
    each method with its own tool only."""
    usable = [r for r in muscle.release if f"{muscle.id}:{r.tool}" not in tried]
    if not usable:
        return None
    if tools:
        for tool in tools:
            for r in usable:
                if r.tool == tool:
                    return r, None
        kept_out: List[Tuple[str, str]] = []
        for tool in tools:
            held = kb.tool(tool)
            for substitute in kb.vocabulary.tool_substitutes.get(tool, []):
                for r in usable:
                    if r.tool != substitute or not r.presses_on:
                        continue  # a tool cannot stand in for a stretch
                    # A ball may stand in for another ball's method (the loader
                    # cleared that one for balls), never for hands near a zone.
                    by_hand = kb.tool(r.tool).pressure not in danger.KEPT_OUT
                    zones = kb.zones_touched(r) if held.pressure in danger.KEPT_OUT and by_hand else []
                    if zones:
                        kept_out.append((tool, zones[0].name))
                        continue
                    return r, f"Your {held.name} can do the job of the {method_label(kb, r)} here."
        for r in usable:
            if r.tool in ALWAYS_AT_HAND:
                return r, _kept_out_note(kb, *kept_out[0]) if kept_out else None
    easiest = sorted(usable, key=lambda r: list(EASE_WORDS).index(r.ease.value))
    return easiest[0], None


# Tools the vocabulary recognises but never offers, and why; someone who has
# one hears why, then gets a gentler way. The knowledge base keeps no bar
# method (the seed's author would rather forget hers). A trigger point eases
# under slow pressure held until it softens (Simons, Travell & Simons,
# Myofascial Pain and Dysfunction vol. 1, 2nd ed., trigger point pressure
# release; Davies, The Trigger Point Therapy Workbook): a percussion device
# does something else, and no source here gives a method for it.
NOT_SUGGESTED = {
    "barbell": (
        "I don't suggest a barbell or any metal bar: it is hard, narrow and heavy, so it easily bruises the muscle or presses "
        "on a nerve or a blood vessel, and a spot that seems to need that much force usually has a cause worth finding instead."
    ),
    "massage_gun": (
        "I don't give steps for a massage gun: it hammers the muscle many times a second, while a trigger point eases under "
        "slow, steady pressure that you hold and control. If you use one anyway, keep it off the front and sides of the neck, "
        "the armpit, the inner arm and thigh, the groin and the back of the knee, where nerves and blood vessels lie close."
    ),
}


def set_aside(tools: Sequence[str]) -> tuple[List[str], List[str]]:
    """(the tools to work with, what to say about those never suggested)."""
    return [t for t in tools if t not in NOT_SUGGESTED], [NOT_SUGGESTED[t] for t in tools if t in NOT_SUGGESTED]


def release_message(kb: Knowledge, muscle: Muscle, tools: Sequence[str], tried: Sequence[str]) -> Message:
    usable, why_not = set_aside(tools)
    if why_not:
        message = release_message(kb, muscle, usable, tried)
        return {**message, "text": "\n".join([*why_not, str(message["text"])])}
    chosen = choose_method(kb, muscle, tools, tried)
    if chosen is None:
        return {
            "text": (
                f"I've run out of self-release methods for the {muscle.name} that you haven't tried. "
                "Time to look for what keeps it tight, or to have a physiotherapist or massage therapist check it."
            )
        }
    release, note = chosen
    steps = "\n".join(f"{i}. {step}" for i, step in enumerate(release.steps, 1))
    lines = [f"**Releasing the {muscle.name}** {with_tool(kb, release.tool)} ({EASE_WORDS[release.ease.value]}):", steps]
    if note:
        lines.insert(1, note)
    if tools and release.tool not in [*tools, *ALWAYS_AT_HAND] and note is None:
        lines.insert(1, "I don't have a method for exactly what you have, so here is the gentlest one.")
    for caution in muscle.cautions[:2]:
        lines.append(f"\u26a0\ufe0f Careful: {caution.text}")
    lines.append("Stop if you feel sharp, electric or numb sensations: that's a nerve, not a knot.")
    return {"text": "\n".join(lines)}


def check_also_text(kb: Knowledge, muscle: Muscle) -> str | None:
    items = []
    for check in muscle.check_also[:3]:
        if check.muscle:
            items.append(f"{kb.muscles[check.muscle].name} ({check.why[:1].lower() + check.why[1:].rstrip('.')})")
        elif check.area:
            side = f"{check.side} " if check.side and check.side != "same" else ""
            items.append(f"your {side}{kb.areas[check.area].name} ({check.why[:1].lower() + check.why[1:].rstrip('.')})")
    return "Also worth checking: " + "; ".join(items) + "." if items else None


def root_cause_lines(kb: Knowledge, muscle: Muscle, limit: int = 2) -> List[str]:
    return [f"\u2022 {capitalised(kb.vocabulary.root_cause_factors[c.factor])}: {c.text}" for c in muscle.root_causes[:limit]]


def suggestion_messages(kb: Knowledge, result: MatchResult, features: Features) -> List[Message]:
    """The ranked muscles with their reasons, and the machine-readable payload."""
    listing = "\n".join(f"{i}. {why_line(kb, s)}" for i, s in enumerate(result.suggestions, 1))
    return [
        {"text": f"{heard_intro(features)}these muscles are the most likely sources, worth checking in this order:\n{listing}"},
        suggestions_message(kb, result, features),
    ]


def suggestions_message(kb: Knowledge, result: MatchResult, features: Features) -> Message:
    """The payload for clients that draw cards, and the body map as a plain
    picture for those that show only standard messages."""
    custom = suggestions_payload(kb, result, features)
    return {"custom": custom, "image": custom["bodymap_png"]}


def closing_message(kb: Knowledge, muscle: Muscle, next_name: str | None, show_disclaimer: bool, next_number: int = 2) -> Message:
    """What follows the release steps: related areas, the root-cause reminder,
    the disclaimer the first time, and the next steps as buttons."""
    closing = [check_also_text(kb, muscle), ROOT_CAUSE_REMINDER, *root_cause_lines(kb, muscle)]
    if show_disclaimer:
        closing.append(DISCLAIMER)
    buttons = [button("Why does it keep coming back?", "ask_root_cause")]
    if next_name:
        buttons.insert(0, button(f"Show the {next_name}", "ask_more", ordinal=str(next_number)))
    buttons.append(button("I tried that already", "tried_already"))
    return {"text": "\n".join(line for line in closing if line), "buttons": buttons}


def symptom_reply(
    kb: Knowledge,
    result: MatchResult,
    features: Features,
    tools: Sequence[str],
    tried: Sequence[str],
    show_disclaimer: bool,
) -> List[Message]:
    top = kb.muscles[result.suggestions[0].muscle_id]
    next_name = result.suggestions[1].name if len(result.suggestions) > 1 else None
    return [
        *suggestion_messages(kb, result, features),
        release_message(kb, top, tools, tried),
        closing_message(kb, top, next_name, show_disclaimer),
    ]


def heard_intro(features: Features) -> str:
    """Echo the person's own words so they can see what I understood."""
    words = [
        *features.groups.values(),
        *features.areas.values(),
        *features.sensations.values(),
        *features.activities.values(),
        *features.conditions.values(),
    ]
    words = _distinct([w for w in dict.fromkeys(words) if w not in ("pain", "hurts", "hurt", "painful")])
    return f"Going by what you told me ({', '.join(words[:4])}), " if words else "Going by what you told me, "


def _distinct(phrases: List[str]) -> List[str]:
    """Drop phrases that repeat words of a longer one: the trained extractor
    and the text matcher may each catch part of "can't open my mouth wide"."""
    kept: List[Tuple[str, frozenset]] = []
    for phrase in sorted(phrases, key=len, reverse=True):
        stems = frozenset(phrase_stems(phrase))
        if not any(stems & other for _, other in kept):
            kept.append((phrase, stems))
    chosen = {phrase for phrase, _ in kept}
    return [p for p in phrases if p in chosen]


def sub_areas(kb: Knowledge, generic_area: str) -> List[str]:
    """The parts of a broad area to offer as buttons, at most eight."""
    children = [a.id for a in kb.vocabulary.areas if generic_area in a.part_of and not a.generic]
    if 3 <= len(children) <= 8:
        return children
    return [a for a in AREA_BUTTONS if generic_area in kb.ancestors(a)][:8]


def clarify_area(kb: Knowledge, generic_area: str | None) -> Message:
    if generic_area:
        name = kb.areas[generic_area].name
        return {
            "text": f"Which part of the {name} is it? Pointing at the exact spot makes a big difference.",
            "buttons": [button(capitalised(kb.areas[a].name), "describe_symptom", body_part=a) for a in sub_areas(kb, generic_area)],
        }
    return {
        "text": "I'd like to help you find the culprit. Where do you feel it most?",
        "buttons": [button(capitalised(kb.areas[a].name), "describe_symptom", body_part=a) for a in AREA_BUTTONS],
    }


def clarify_group_part(kb: Knowledge, result: MatchResult) -> Message:
    """"My quads": which of the group's places, since each member has its own."""
    return {
        "text": f"There are a few muscles in your {result.group_name}, each with its own pain spot. Where do you feel it most?",
        "buttons": [button(capitalised(kb.areas[a].name), "describe_symptom", body_part=a) for a in result.parts],
    }


def clarify_sensation(kb: Knowledge) -> Message:
    return {
        "text": "And what does it feel like, or when is it worst?",
        "buttons": [button(capitalised(kb.term("sensations", s).name), "describe_symptom", sensation=s) for s in SENSATION_BUTTONS],
    }


# The knowledge base's regions in the words people use, in head-to-toe order.
REGION_WORDS = {
    "jaw": "jaw",
    "neck": "neck",
    "shoulder": "shoulders",
    "chest": "chest",
    "upper_back": "upper back",
    "arm": "arms",
    "abdomen": "belly",
    "lower_back": "lower back",
    "hip": "hips",
    "thigh": "thighs",
    "knee": "knees",
    "lower_leg": "lower legs",
    "foot": "feet",
}


def out_of_region(kb: Knowledge) -> str:
    """Said for a place no muscle of the knowledge base covers; names the places it does."""
    present = {m.region for m in kb.muscles.values()}
    covered = _join([words for region, words in REGION_WORDS.items() if region in present])
    return (
        f"I only know the muscles of the {covered}, so I can't say much about that spot. "
        "If it's in one of those areas too, tell me where and what it feels like."
    )


def muscle_info(kb: Knowledge, muscle: Muscle) -> List[Message]:
    spots = _join([tp.location for tp in muscle.trigger_points[:2]])
    lines = [
        f"**{muscle.name}** ({', '.join(muscle.aliases[:3])}): {muscle.summary.strip()}",
        f"Trigger points usually sit {spots}.",
        f"They mostly send pain to the {_areas_text(kb, muscle, ReferralKind.essential)}"
        + (
            f", sometimes spilling into the {_areas_text(kb, muscle, ReferralKind.spillover)}."
            if any(r.kind is ReferralKind.spillover for r in muscle.referral)
            else "."
        ),
    ]
    if muscle.mimics:
        mimics = _join([kb.term("conditions", c).name for c in muscle.mimics[:3]])
        lines.append(f"Its pain is often mistaken for {mimics}.")
    lines += [f"\u2022 {t.text}" for t in muscle.traits[:2]]
    return [
        {
            "text": "\n".join(lines),
            "buttons": [
                button(f"How do I release the {muscle.name}?", "ask_release", muscle=muscle.id),
                button("Why does it keep coming back?", "ask_root_cause", muscle=muscle.id),
            ],
        }
    ]


# Why points come back, when no muscle is under discussion yet (with muscles,
# the check-up asks about their own root causes instead).
ROOT_CAUSE_GENERAL = (
    "Trigger points come back when something keeps loading the muscle: how you sleep and sit, "
    "clenching the jaw, weak partner muscles that make it overwork, or a sudden jump in training. "
    "Tell me where it hurts and I'll point to the usual suspects for that muscle."
)


def tried_reply(
    kb: Knowledge, muscle: Muscle, next_muscle: Muscle | None, tools: Sequence[str], tried: Sequence[str], failed_rounds: int
) -> List[Message]:
    if failed_rounds >= 2:
        return [
            {
                "text": (
                    "I'm sorry it's still there after a couple of rounds. When releases don't hold, something keeps re-creating "
                    "the trigger point, so it's worth looking for the root cause, and a physiotherapist, doctor or experienced "
                    "massage therapist can test what self-treatment can't."
                ),
                "buttons": [button("Why does it keep coming back?", "ask_root_cause")],
            }
        ]
    if choose_method(kb, muscle, tools, tried):
        return [{"text": "Thanks for trying. Let's try a different way in:"}, release_message(kb, muscle, tools, tried)]
    if next_muscle:
        return [
            {"text": f"Then the {muscle.name} may not be the main culprit. Let's check the {next_muscle.name}."},
            release_message(kb, next_muscle, tools, tried),
        ]
    return [release_message(kb, muscle, tools, tried)]


def red_flag_reply(result: Triage) -> List[Message]:
    if result.person:
        who = addressed_to(result.person)
        text = (
            f"\u26a0\ufe0f From what you tell me about {who}, I need to stop here: {result.reason}. "
            f"That is not something to massage away. For {who}: {result.advice} "
            "Please don't try self-massage on it until a doctor has checked them."
        )
    else:
        text = (
            f"\u26a0\ufe0f I need to stop here: {result.reason}. That is not something to massage away. "
            f"{result.advice} Please don't use self-massage on it until a doctor has checked you."
        )
    return [
        {"text": text},
        {"custom": {"type": "red_flag", "reason": result.reason, "rule": result.rule_id, "person": result.person}},
        {
            "text": "If I misread you and it's not that, just tell me, and we can go on.",
            "buttons": [
                button("It's not that", "deny"),
            ],
        },
    ]


def correction_reply(kb: Knowledge, next_id: str | None) -> Message:
    """ "That's wrong": ask what differs, and offer the next candidate."""
    text = (
        "Sorry, I got that one wrong. What's different from what you feel: where exactly it hurts, what it feels like, "
        "or what sets it off? Tell me and I'll look again."
    )
    if next_id is None:
        return {"text": text}
    name = kb.muscles[next_id].name
    return {
        "text": f"{text} Meanwhile, the next likely one is the {name}.",
        "buttons": [{"title": f"Show the {name}", "payload": f'/ask_release{{"muscle": "{next_id}"}}'}],
    }


def check_question(result: Triage) -> Message:
    """One yes/no question about a sign that was asked about or doubted."""
    heard = f'You mentioned "{result.heard}". ' if result.heard else ""
    text = (
        f"{heard}Before I suggest anything, one quick question so I don't miss something important: "
        f"do you have {safety_session.signs_of(str(result.check))}?"
    )
    return {
        "text": text,
        "buttons": [{"title": title, "payload": payload} for title, payload in (("Yes", "/affirm"), ("No", "/deny"))],
        "custom": {"type": "red_flag_check", "rule": result.check, "heard": result.heard or ""},
    }


def misheard_question(result: Triage) -> Message:
    """One yes/no question about a red flag the recogniser may have
    misheard, said back in the person's own words."""
    return {
        "text": (
            f"I want to be sure I heard you right: did you say {misheard.said_back(result.heard or '')}? "
            "If so, I'd rather not suggest any massage before you know what to do about it."
        ),
        "buttons": [{"title": title, "payload": payload} for title, payload in (("Yes", "/affirm"), ("No", "/deny"))],
        "custom": {"type": "red_flag_check", "rule": result.check, "heard": result.heard or ""},
    }


def still_in_force(rule_id: str) -> Message:
    """Why there are no steps while a red flag stands, and the advice again."""
    found = safety_session.rule(rule_id)
    if found is None:
        return {"text": "I can't suggest self-massage for this until a doctor has checked it."}
    return {
        "text": (
            f"I can't give you release steps while this stands: {found.reason}. {found.advice} "
            "If I misread you, tell me \"it's not that\"."
        ),
        "custom": {"type": "red_flag", "reason": found.reason, "rule": found.id, "in_force": True},
    }


def confirm_lift(rule_id: str) -> Message:
    """The one confirmation before a raised red flag is set aside."""
    signs = safety_session.signs_of(rule_id) or "the signs I mentioned"
    return {
        "text": f"Just to be sure, because it matters: you don't have {signs}?",
        "buttons": [{"title": "Right, none of that", "payload": "/affirm"}, {"title": "Actually, I might", "payload": "/deny"}],
    }


def addressed_to(person: str | None) -> str:
    """ "your wife" for a named person, else a neutral phrase for a pronoun."""
    if not person or person in ("he", "she", "her", "his", "him", "he's", "she's", "they"):
        return "the person you're writing about"
    return f"your {person}"


TOOL_BUTTONS = ("thumb", "tennis_ball", "lacrosse_ball", "kong_ball", "foam_roller", "chair_and_ball")

DELETED = (
    "Done. I've deleted this conversation and everything I noted in it (where it hurts, the muscles we looked at, "
    "what you tried). If you write again, we start from a blank page."
)


def tool_names(kb: Knowledge, tools: Sequence[str]) -> str:
    return _join([f"your {kb.term('tools', t).name}" for t in tools])


def ask_tools(kb: Knowledge) -> Message:
    return {
        "text": "What do you have at hand? A thumb and hands always work; a ball reaches the deeper spots.",
        "buttons": [button(capitalised(kb.term("tools", t).name), "ask_tools", tool=t) for t in TOOL_BUTTONS],
    }


NOT_THAT_THEN = "Thanks for putting me right. If any of those signs do show up, please get checked the same day."


def yes_no_reply(awaiting: Awaiting | None, affirmed: bool) -> Message:
    if awaiting is Awaiting.red_flag:
        if affirmed:
            return {
                "text": "Then please don't wait: get checked today, or call your emergency number if it's severe or sudden. I'll be here afterwards."
            }
        return {
            "text": (
                "Thanks for telling me. If any of those signs do show up, please get checked the same day. "
                "Now, where does it hurt, and what does it feel like?"
            )
        }
    if affirmed:
        return {"text": "Great. Tell me where it hurts, or ask me how to release a muscle."}
    return {"text": "No problem. Is there anything else about your pain I can help with?"}


def not_understood() -> Message:
    return {
        "text": (
            "Sorry, I didn't catch that. I understand plain-English descriptions of pain in the lower back, hips, "
            "thighs, knees, calves and jaw, like \u201cmy knee buckles on the stairs\u201d or \u201cthe outside of my hip aches at night\u201d."
        ),
        "buttons": [button("Where can it hurt?", "help"), button("What is a trigger point?", "ask_what_is_trigger_point")],
    }


PROGRESS_BUTTONS = (("Better", "/affirm"), ("The same", "/deny"), ("Worse", "/deny"))


def last_method(kb: Knowledge, muscle: Muscle, tools: Sequence[str], tried: Sequence[str]) -> str | None:
    """The method last offered for this muscle, as "muscle:tool" (the same
    choice release_message made)."""
    chosen = choose_method(kb, muscle, tools, tried)
    return f"{muscle.id}:{chosen[0].tool}" if chosen else None


def welcome_back(
    kb: Knowledge, muscle: Muscle, features: Features, tools: Sequence[str], tried: Sequence[str], failed_rounds: int
) -> Message:
    """The greeting of a returning person, from the slots of last session."""
    areas, feelings = list(features.areas.values())[:2], list(features.sensations.values())[:2]
    about = f" for your {_join(areas)}" if areas else ""
    about += f" ({_join(feelings)})" if about and feelings else ""
    chosen = choose_method(kb, muscle, tools, tried)
    method = f" {with_tool(kb, chosen[0].tool)}" if chosen else ""
    lines = [f"Welcome back. Last time we looked at your {muscle.name}{about}, and I suggested releasing it{method}."]
    buttons = [{"title": title, "payload": payload} for title, payload in PROGRESS_BUTTONS]
    if failed_rounds >= 2:
        lines.append(
            "The releases hadn't held after two rounds, so it's worth finding the root cause, or having a physiotherapist look at it."
        )
        buttons.append(button("Why does it keep coming back?", "ask_root_cause"))
    lines.append("Has it got better since then?")
    return {"text": " ".join(lines), "buttons": buttons}


def progress_better(muscle: Muscle | None) -> Message:
    name = f"the {muscle.name}" if muscle else "it"
    return {
        "text": f"Good to hear. Keep releasing {name} gently every day or two while it settles, and keep an eye on what set it off."
    }
