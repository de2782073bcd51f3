"""Pydantic (v1 API, as pinned by Rasa 3.6) models of the knowledge base.

Field-level checks live here; checks that need the whole file (ids referring
to other entries or to the vocabulary) live in ``loader.py``.
"""

from __future__ import annotations

from enum import Enum
from typing import Dict, List

from pydantic import BaseModel, Extra, conlist, constr, root_validator, validator

Id = constr(regex=r"^[a-z][a-z0-9_]*$", min_length=2, max_length=40)
Text = constr(strip_whitespace=True, min_length=2, max_length=600)
Phrase = constr(strip_whitespace=True, min_length=2, max_length=80)


class Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


class VocabularyTerm(Strict):
    id: Id
    name: Phrase
    synonyms: List[Phrase] = []


class Area(VocabularyTerm):
    part_of: List[Id] = []
    # A generic area ("knee") is too broad to rank on alone: the assistant asks
    # which part of it before guessing.
    generic: bool = False


class Vocabulary(Strict):
    areas: conlist(Area, min_items=1)
    conditions: conlist(VocabularyTerm, min_items=1)
    activities: conlist(VocabularyTerm, min_items=1)
    sensations: conlist(VocabularyTerm, min_items=1)
    tools: conlist(VocabularyTerm, min_items=1)
    tool_substitutes: Dict[Id, List[Id]] = {}
    traits: Dict[Id, Text]
    root_cause_factors: Dict[Id, Text]


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
    steps: conlist(Text, min_items=1, max_items=8)
    # Methods the knowledge keeps only to warn against (the barbell) are never
    # offered first.
    discouraged: bool = False


class Caution(Strict):
    topic: Id
    text: Text


class CheckAlso(Strict):
    muscle: Id | None = None
    area: Id | None = None
    side: constr(regex=r"^(same|opposite|both)$") | None = None
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
    aliases: conlist(Phrase, min_items=1)
    group: Id
    region: constr(regex=r"^(hip|thigh|knee|lower_back|lower_leg|jaw)$")
    summary: Text
    trigger_points: conlist(TriggerPoint, min_items=1)
    referral: conlist(Referral, min_items=1)
    symptoms: conlist(Phrase, min_items=2)
    sensations: List[Id] = []
    mimics: List[Id] = []
    aggravated_by: conlist(Id, min_items=1)
    release: conlist(Release, min_items=1)
    cautions: List[Caution] = []
    check_also: List[CheckAlso] = []
    traits: List[Trait] = []
    root_causes: conlist(RootCause, min_items=1)
    sources: conlist(Text, min_items=1)

    @validator("referral")
    def has_essential_zone(cls, referral: List[Referral]) -> List[Referral]:
        if not any(r.kind is ReferralKind.essential for r in referral):
            raise ValueError("needs at least one essential referral area")
        return referral

    @validator("release")
    def offers_a_usable_method(cls, release: List[Release]) -> List[Release]:
        if all(r.discouraged for r in release):
            raise ValueError("needs at least one method that is not discouraged")
        return release


class KnowledgeFile(Strict):
    muscles: conlist(Muscle, min_items=1)


def error_location(loc: tuple, raw_muscles: list) -> str:
    """Turn a pydantic error location into 'muscle <id>, field <path>'."""
    if len(loc) >= 2 and loc[0] == "muscles" and isinstance(loc[1], int):
        index = loc[1]
        entry = raw_muscles[index] if index < len(raw_muscles) else None
        name = entry.get("id") if isinstance(entry, dict) else None
        where = f"muscle '{name}'" if name else f"muscle #{index + 1}"
        path = ".".join(str(p) for p in loc[2:]) or "(entry)"
        return f"{where}, field '{path}'"
    return "field '" + ".".join(str(p) for p in loc) + "'"
