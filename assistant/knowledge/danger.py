"""Danger-zone check of the release methods (pure: no Rasa, no I/O).

A release method may not put a ball, a roller, a bar, an elbow, a hand-held
tool or sustained body weight into a danger zone (danger_zones.yml). Two
independent checks, so neither a missing word nor a wrong area list lets a
method through:

1. structure: the places a release says it presses on (`presses_on`: body
   areas, or a zone named outright) touch a zone by area (the place is the
   zone, lies in or contains one of its areas) or by geometry (the place's
   body-map shape overlaps the zone's `map`), whichever the zone names. A
   body-weight or hand-held tool may not press on a place in a zone at all;
   any method that touches a zone otherwise (a hand in it, or a tool on a
   larger area the zone is drawn inside) must come with the zone's caution,
   and a hand method there may bring in no pressure words;
2. text: every step of such a release, and every step that brings in a
   pressure word, is scanned for the zone's words and for words naming a
   pulse or vessel. A mention passes only when clearly protective ("never in
   the groin crease", "stay well below the hip crease", "If you feel a pulse,
   move off").

`problems()` returns one message per finding, naming the muscle, the tool and
the zone; the loader turns any into a KnowledgeError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Collection, Dict, Iterable, List, Mapping, Sequence, Tuple

from assistant.knowledge.schema import Area, DangerZone, DangerZoneFile, Muscle, Release, Tool, ToolPressure


@dataclass(frozen=True)
class BodyMap:
    """What the body map says about the zones: its views, and for each area
    the zones whose `map` one of its shapes overlaps. The loader works it out
    from assistant/bodymap."""

    views: Collection[str]
    zones_on_map: Mapping[str, Collection[str]]


# Every one of these must be in danger_zones.yml.
REQUIRED_ZONES = (
    "femoral_triangle",
    "front_of_abdomen",
    "back_of_knee",
    "front_and_side_of_neck",
    "above_collarbone",
    "armpit",
    "inside_of_upper_arm",
    "elbow_crease",
    "kidney_area",
    "sciatic_notch",
    "eyes_and_face_nerves",
    "behind_the_jaw",
    "under_the_skull",
    "fibular_head",
    "tarsal_tunnel",
    "inner_mid_thigh",
    "below_collarbone",
)

# Tools that must stay out of every zone.
KEPT_OUT = (ToolPressure.body_weight, ToolPressure.hand_held_tool)

# "the" in a listed phrase also matches these ("front of the hip" = "front of my hip").
_DETERMINERS = ("the", "my", "your", "a", "an")
# Where a clause ends: a protective cue before this point says nothing about
# what follows. ", press ..." and " and press ..." start a new instruction;
# ", a knuckle" and " and the ..." go on with the same one (a list).
_CLAUSE_VERBS = (
    "press|put|place|sink|roll|lean|lie|push|dig|move|work|hold|slide|rest|let|use|set|go|keep|stay|find|turn|bend|"
    "straighten|hang|shift|rock|cross|lift|drop|bring|reach|stroke|make|pinch|follow"
)
_CLAUSE_BREAK = re.compile(
    rf"[;:()!?.]|\s(?:but|then|so|while)\s|(?:,|\s(?:and|or))\s+(?:(?:and|or)\s+)?(?=(?:{_CLAUSE_VERBS})\b)", re.IGNORECASE
)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?;])\s+")


def _phrase_pattern(phrase: str) -> re.Pattern:
    """Whole-word, case-insensitive; a "the" in the phrase matches any determiner."""
    parts = []
    for word in phrase.lower().split():
        if word == "the":
            parts.append("(?:" + "|".join(_DETERMINERS) + ")")
        else:
            parts.append(re.escape(word))
    return re.compile(r"(?<![\w'])" + r"\s+".join(parts) + r"(?![\w'])", re.IGNORECASE)


@dataclass(frozen=True)
class Hit:
    word: str
    start: int


class Lexicon:
    """The compiled word lists of the zone file."""

    def __init__(self, zones: DangerZoneFile):
        self.zones = {z.id: z for z in zones.zones}
        self.zone_words: Dict[str, List[Tuple[str, re.Pattern]]] = {
            z.id: [(w, _phrase_pattern(w)) for w in z.words] for z in zones.zones
        }
        self.vessel_words = [(w, _phrase_pattern(w)) for w in zones.vessel_words]
        self.pressure_words = [(w, _phrase_pattern(w)) for w in zones.pressure_words]
        self.protective = [_phrase_pattern(w) for w in zones.protective_words]
        self.stops = [_phrase_pattern(w) for w in zones.stop_words]

    def _excused(self, text: str, start: int) -> bool:
        sentence_start = 0
        for match in _SENTENCE_BREAK.finditer(text):
            if match.end() <= start:
                sentence_start = match.end()
        sentence_end = len(text)
        for match in _SENTENCE_BREAK.finditer(text, start):
            sentence_end = match.start()
            break
        clause_start = sentence_start
        for match in _CLAUSE_BREAK.finditer(text, sentence_start, start):
            clause_start = match.end()
        before = text[clause_start:start]
        if any(p.search(before) for p in self.protective):
            return True
        sentence = text[sentence_start:sentence_end]
        after = text[start:sentence_end]
        return sentence.lstrip().lower().startswith("if ") and any(p.search(after) for p in self.stops)

    def hits(self, text: str, words: Iterable[Tuple[str, re.Pattern]]) -> List[Hit]:
        """Unexcused mentions of any of `words` in `text`."""
        found = []
        for word, pattern in words:
            for match in pattern.finditer(text):
                if not self._excused(text, match.start()):
                    found.append(Hit(word, match.start()))
        return found


def zone_file_problems(zones: DangerZoneFile, areas: Mapping[str, Area], views: Collection[str]) -> List[str]:
    """Problems in the zone file itself: required zones, duplicates, unknown
    areas or body-map views, a zone id that is also an area id."""
    problems = []
    ids = [z.id for z in zones.zones]
    missing = [z for z in REQUIRED_ZONES if z not in ids]
    if missing:
        problems.append(f"missing danger zones: {', '.join(missing)}")
    for zone_id in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"zone '{zone_id}', field 'id': duplicate zone id")
    for zone in zones.zones:
        for i, area in enumerate(zone.areas):
            if area not in areas:
                problems.append(f"zone '{zone.id}', field 'areas.{i}': unknown body area '{area}'")
        for i, shape in enumerate(zone.map):
            if shape.view not in views:
                problems.append(f"zone '{zone.id}', field 'map.{i}.view': unknown body-map view '{shape.view}'")
        if zone.id in areas and zone.id not in zone.areas:
            # `presses_on` and caution topics may name either: a shared id must mean the same place.
            problems.append(f"zone '{zone.id}', field 'areas': the zone shares its id with a body area it does not cover")
    return problems


def _ancestors(areas: Mapping[str, Area], area_id: str) -> List[str]:
    seen: List[str] = []
    stack = list(areas[area_id].part_of) if area_id in areas else []
    while stack:
        parent = stack.pop()
        if parent not in seen and parent in areas:
            seen.append(parent)
            stack.extend(areas[parent].part_of)
    return seen


def overlaps(areas: Mapping[str, Area], area_id: str, zone: DangerZone) -> bool:
    """True when `area_id` is a zone area, lies inside one, or contains one."""
    if area_id in zone.areas or any(a in zone.areas for a in _ancestors(areas, area_id)):
        return True
    return any(area_id in _ancestors(areas, z) for z in zone.areas)


def in_zone(areas: Mapping[str, Area], place: str, zone: DangerZone) -> bool:
    """True when `place` (an area id, or a zone id named outright) is the zone
    or one of its areas, lies inside one, or contains one."""
    return place == zone.id or overlaps(areas, place, zone)


def touches(areas: Mapping[str, Area], body_map: BodyMap, place: str, zone: DangerZone) -> bool:
    """True when pressing on `place` touches the zone: by area, or by a
    body-map shape of `place` overlapping the zone's map."""
    return in_zone(areas, place, zone) or zone.id in body_map.zones_on_map.get(place, ())


def zones_touched(areas: Mapping[str, Area], body_map: BodyMap, release: Release, zones: Iterable[DangerZone]) -> List[DangerZone]:
    """The zones a release presses on, by area or by geometry."""
    return [z for z in zones if any(touches(areas, body_map, p, z) for p in release.presses_on)]


def _tool_label(tools: Mapping[str, Tool], tool_id: str) -> str:
    tool = tools.get(tool_id)
    return f"'{tool_id}' ({tool.name})" if tool else f"'{tool_id}'"


def _release_problems(
    muscle: Muscle,
    index: int,
    release: Release,
    tools: Mapping[str, Tool],
    areas: Mapping[str, Area],
    body_map: BodyMap,
    lexicon: Lexicon,
) -> List[str]:
    where = f"muscle '{muscle.id}', release.{index} (tool {_tool_label(tools, release.tool)})"
    tool = tools.get(release.tool)
    kept_out = tool is None or tool.pressure in KEPT_OUT
    cautions = {c.topic for c in muscle.cautions}
    problems: List[str] = []

    if kept_out and not release.presses_on:
        problems.append(f"{where}, field 'presses_on': a {tool.name if tool else 'pressing'} method must name the areas it presses on")

    touched = zones_touched(areas, body_map, release, lexicon.zones.values())
    for zone in touched:
        inside = [p for p in release.presses_on if in_zone(areas, p, zone)]
        if kept_out and inside:
            problems.append(
                f"{where} puts the {tool.name if tool else release.tool} into danger zone '{zone.id}' ({zone.name}): "
                f"field 'presses_on' lists {', '.join(repr(a) for a in inside)}"
            )
        elif zone.id not in cautions:
            # A zone drawn inside a larger area: the tool may work the rest of
            # the area, so the muscle must say where the zone is, and the step
            # check below refuses any step that names it.
            problems.append(
                f"{where} touches danger zone '{zone.id}' ({zone.name}) but the muscle has no '{zone.id}' caution"
            )

    for step_no, step in enumerate(release.steps):
        where_step = f"{where}, step {step_no + 1}"
        if kept_out:
            what = f"the {tool.name}" if tool else f"'{release.tool}'"
            reported: List[str] = []
        else:
            pressure = lexicon.hits(step, lexicon.pressure_words)
            if not pressure:
                continue  # thumbs and hands may name a zone, to work gently or stay out of it
            what = f"'{pressure[0].word}'"
            # A zone the hand works inside, by area: no pressure word may come
            # with it. A zone drawn inside a larger area the hand works is
            # held to its words below, like any other.
            inside_zones = [z for z in touched if any(in_zone(areas, p, z) for p in release.presses_on)]
            reported = [z.id for z in inside_zones]
            for zone in inside_zones:
                problems.append(
                    f"{where_step} brings {what} into danger zone '{zone.id}' ({zone.name}), "
                    "which field 'presses_on' says it touches"
                )
        for zone in lexicon.zones.values():
            if zone.id in reported:
                continue
            for hit in lexicon.hits(step, lexicon.zone_words[zone.id]):
                problems.append(f"{where_step} puts {what} into danger zone '{zone.id}' ({zone.name}): it says '{hit.word}'")
        for hit in lexicon.hits(step, lexicon.vessel_words):
            near = [z.id for z in touched] or ["any zone where a pulse can be felt"]
            problems.append(
                f"{where_step} puts {what} on a {hit.word}, a vessel (danger zone: {', '.join(near)}): "
                "say to move off it instead"
            )
    return problems


def problems(
    muscles: Sequence[Muscle],
    tools: Mapping[str, Tool],
    areas: Mapping[str, Area],
    zones: DangerZoneFile,
    body_map: BodyMap,
) -> List[str]:
    """Every way the releases of `muscles` break the danger zones; [] when safe."""
    found = zone_file_problems(zones, areas, body_map.views)
    lexicon = Lexicon(zones)
    for muscle in muscles:
        for index, release in enumerate(muscle.release):
            found += _release_problems(muscle, index, release, tools, areas, body_map, lexicon)
    return found
