"""Pydantic (v1 API, as pinned by Rasa 3.6) models of the knowledge base.

Field-level checks live here; checks that need the whole file (ids referring
to other entries or to the vocabulary) live in ``loader.py``.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Dict, List, TypeVar

from pydantic import BaseModel, Extra, Field, constr, root_validator, validator

# The body regions a muscle can belong to; each has its screening questions.
REGIONS = ("hip", "thigh", "knee", "lower_back", "lower_leg", "foot", "jaw", "neck", "shoulder", "upper_back", "chest", "arm", "abdomen")

if TYPE_CHECKING:
    # The checker sees plain strings; pydantic checks the constraints below.
    Id = str
    Text = str
    Phrase = str
    Word = str
    SideWord = str
    RegionId = str
else:
    Id = constr(regex=r"^[a-z][a-z0-9_]*$", min_length=2, max_length=40)
    Text = constr(strip_whitespace=True, min_length=2, max_length=600)
    Phrase = constr(strip_whitespace=True, min_length=2, max_length=80)
    # Strict: YAML reads a bare `no` or `off` as a boolean, which must not turn into "False".
    Word = constr(strict=True, strip_whitespace=True, min_length=2, max_length=80)
    SideWord = constr(regex=r"^(same|opposite|both)$")
    RegionId = constr(regex=rf"^({'|'.join(REGIONS)})$")

T = TypeVar("T")
NonEmpty = Annotated[List[T], Field(min_items=1)]


class Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


class VocabularyTerm(Strict):
    id: Id
    name: Phrase
    synonyms: List[Phrase] = []


class ToolPressure(str, Enum):
    """How a tool loads the body, which decides where it may go."""

    # Something you lie, lean, sit or hang on (balls, a roller, a bar): the
    # pressure is your body weight, sustained and hard to feel your way with.
    body_weight = "body_weight"
    # A hand-held tool (stick, massage gun): firm, and blind to a pulse.
    hand_held_tool = "hand_held_tool"
    # Thumb, fingers, hands: they can feel a pulse and back off.
    hand = "hand"
    # A doorway or a towel: something to stretch against, which presses on no spot.
    stretch_aid = "stretch_aid"


class Tool(VocabularyTerm):
    pressure: ToolPressure
    # A tool people mention that no release may use (a barbell, a massage
    # gun): recognised so the assistant can say why it doesn't suggest it.
    offered: bool = True


class Area(VocabularyTerm):
    part_of: List[Id] = []
    # A generic area ("knee") is too broad to rank on alone: the assistant asks
    # which part of it before guessing.
    generic: bool = False


class Activity(VocabularyTerm):
    # Where an activity points when no place is named: "it hurts to swallow"
    # is about the jaw even without the word.
    area: Id | None = None


class MuscleGroup(VocabularyTerm):
    # Muscle ids or muscles' `group` ids; empty means the muscles whose
    # `group` is this entry's id.
    members: List[Id] = []


class Vocabulary(Strict):
    areas: NonEmpty[Area]
    conditions: NonEmpty[VocabularyTerm]
    activities: NonEmpty[Activity]
    sensations: NonEmpty[VocabularyTerm]
    tools: NonEmpty[Tool]
    muscle_groups: List[MuscleGroup] = []
    tool_substitutes: Dict[Id, List[Id]] = {}
    traits: Dict[Id, Text]
    root_cause_factors: Dict[Id, Text]
    # Caution topics that are not a place (a danger zone or a body area): the
    # loader refuses any other topic, so a misspelt zone id cannot slip past
    # the danger-zone check as a free-form topic.
    caution_topics: Dict[Id, Text]


class ReferralKind(str, Enum):
    essential = "essential"
    spillover = "spillover"


class Referral(Strict):
    area: Id
    kind: ReferralKind


class TriggerPoint(Strict):
    label: Phrase
    location: Text
    area: Id


class Ease(str, Enum):
    easy = "easy"
    moderate = "moderate"
    hard = "hard"


class Release(Strict):
    tool: Id
    ease: Ease
    # The body areas (vocabulary ids) the method puts pressure on; required, so
    # every method says where it presses and the danger-zone check can hold it
    # to that. Empty only for a method that presses on nothing (a stretch).
    presses_on: List[Id]
    steps: Annotated[List[Text], Field(min_items=1, max_items=8)]


class Caution(Strict):
    topic: Id
    text: Text


class CheckAlso(Strict):
    muscle: Id | None = None
    area: Id | None = None
    side: SideWord | None = None
    why: Text

    @root_validator(skip_on_failure=True)
    def one_target(cls, values: dict) -> dict:
        if (values.get("muscle") is None) == (values.get("area") is None):
            raise ValueError("give exactly one of 'muscle' or 'area'")
        return values


class Trait(Strict):
    trait: Id
    text: Text


class RootCause(Strict):
    factor: Id
    text: Text


class Muscle(Strict):
    id: Id
    name: Phrase
    aliases: NonEmpty[Phrase]
    group: Id
    region: RegionId
    summary: Text
    trigger_points: NonEmpty[TriggerPoint]
    referral: NonEmpty[Referral]
    symptoms: Annotated[List[Phrase], Field(min_items=2)]
    sensations: List[Id] = []
    mimics: List[Id] = []
    aggravated_by: NonEmpty[Id]
    release: NonEmpty[Release]
    cautions: List[Caution] = []
    check_also: List[CheckAlso] = []
    traits: List[Trait] = []
    root_causes: NonEmpty[RootCause]
    sources: NonEmpty[Text]

    @validator("referral")
    def has_essential_zone(cls, referral: List[Referral]) -> List[Referral]:
        if not any(r.kind is ReferralKind.essential for r in referral):
            raise ValueError("needs at least one essential referral area")
        return referral


class MapShape(Strict):
    """A shape on a body-map figure, in the coordinates of
    assistant/bodymap/zones.yml: an ellipse [cx, cy, rx, ry] or a polygon,
    drawn on the left half of the picture as the area shapes are."""

    view: Id
    ellipse: Annotated[List[float], Field(min_items=4, max_items=4)] | None = None
    polygon: Annotated[List[Annotated[List[float], Field(min_items=2, max_items=2)]], Field(min_items=3)] | None = None

    @root_validator(skip_on_failure=True)
    def one_shape(cls, values: dict) -> dict:
        if (values.get("ellipse") is None) == (values.get("polygon") is None):
            raise ValueError("give exactly one of 'ellipse' or 'polygon'")
        return values


class DangerZone(Strict):
    id: Id
    name: Phrase
    runs_here: NonEmpty[Phrase]
    why: Text
    # Vocabulary areas the zone covers (areas inside these count too).
    areas: List[Id]
    # Where the zone lies on the body map, for a zone smaller than any
    # vocabulary area: a release touches it when an area it presses on is
    # drawn overlapping one of these shapes.
    map: List[MapShape] = []
    words: NonEmpty[Word]
    sources: NonEmpty[Text]


class DangerZoneFile(Strict):
    pressure_words: NonEmpty[Word]
    vessel_words: NonEmpty[Word]
    protective_words: NonEmpty[Word]
    stop_words: NonEmpty[Word]
    zones: NonEmpty[DangerZone]


class KnowledgeFile(Strict):
    muscles: NonEmpty[Muscle]


def error_location(loc: tuple, raw_entries: list, key: str = "muscles", label: str = "muscle") -> str:
    """Turn a pydantic error location into 'muscle <id>, field <path>' (or
    'zone <id>, ...' for the entries under `key`, called `label`)."""
    if len(loc) >= 2 and loc[0] == key and isinstance(loc[1], int):
        index = loc[1]
        entry = raw_entries[index] if index < len(raw_entries) else None
        name = entry.get("id") if isinstance(entry, dict) else None
        where = f"{label} '{name}'" if name else f"{label} #{index + 1}"
        path = ".".join(str(p) for p in loc[2:]) or "(entry)"
        return f"{where}, field '{path}'"
    return "field '" + ".".join(str(p) for p in loc) + "'"
