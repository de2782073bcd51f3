"""Danger-zone check of the release methods (pure: no Rasa, no I/O).

A release method may not put a ball, a roller, a bar, an elbow, a hand-held
tool or sustained body weight into a danger zone (danger_zones.yml). Two
independent checks, so neither a missing word nor a wrong area list lets a
method through:

1. structure: the areas a release says it presses on (`presses_on`) must not
   lie in or contain a zone's areas when its tool works by body weight or is
   hand-held; a hand method that touches a zone must come with the zone's
   caution and bring in no pressure words;
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
from typing import Dict, Iterable, List, Mapping, Sequence, Tuple

from assistant.knowledge.schema import Area, DangerZone, DangerZoneFile, Muscle, Release, Tool, ToolPressure

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


def zone_file_problems(zones: DangerZoneFile, areas: Mapping[str, Area]) -> List[str]:
    """Problems in the zone file itself: required zones, duplicates, unknown areas."""
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


def zones_touched(areas: Mapping[str, Area], release: Release, zones: Iterable[DangerZone]) -> List[DangerZone]:
    """The zones whose areas a release presses on."""
    return [z for z in zones if any(overlaps(areas, a, z) for a in release.presses_on)]


def _tool_label(tools: Mapping[str, Tool], tool_id: str) -> str:
    tool = tools.get(tool_id)
    return f"'{tool_id}' ({tool.name})" if tool else f"'{tool_id}'"


def _release_problems(
    muscle: Muscle,
    index: int,
    release: Release,
    tools: Mapping[str, Tool],
    areas: Mapping[str, Area],
    lexicon: Lexicon,
) -> List[str]:
    where = f"muscle '{muscle.id}', release.{index} (tool {_tool_label(tools, release.tool)})"
    tool = tools.get(release.tool)
    kept_out = tool is None or tool.pressure in KEPT_OUT
    cautions = {c.topic for c in muscle.cautions}
    problems: List[str] = []

    if kept_out and not release.presses_on:
        problems.append(f"{where}, field 'presses_on': a {tool.name if tool else 'pressing'} method must name the areas it presses on")

    touched = zones_touched(areas, release, lexicon.zones.values())
    for zone in touched:
        inside = [a for a in release.presses_on if overlaps(areas, a, zone)]
        if kept_out:
            problems.append(
                f"{where} puts the {tool.name if tool else release.tool} into danger zone '{zone.id}' ({zone.name}): "
                f"field 'presses_on' lists {', '.join(repr(a) for a in inside)}"
            )
        elif zone.id not in cautions:
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
            reported = [z.id for z in touched]
            for zone in touched:
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
) -> List[str]:
    """Every way the releases of `muscles` break the danger zones; [] when safe."""
    found = zone_file_problems(zones, areas)
    lexicon = Lexicon(zones)
    for muscle in muscles:
        for index, release in enumerate(muscle.release):
            found += _release_problems(muscle, index, release, tools, areas, lexicon)
    return found
