"""Loads and cross-checks the knowledge base.

A broken file must fail loudly at start-up with the entry and field named,
never half-load: every reference between entries and to the vocabulary is
checked here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple, Type, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from assistant.knowledge import danger
from assistant.knowledge.schema import (
    Area,
    DangerZone,
    DangerZoneFile,
    KnowledgeFile,
    Muscle,
    MuscleGroup,
    Release,
    Tool,
    Vocabulary,
    VocabularyTerm,
    error_location,
)

KNOWLEDGE_DIR = Path(__file__).resolve().parent

CANONICAL_MUSCLES = [
    "iliopsoas",
    "tensor_fasciae_latae",
    "gluteus_maximus",
    "gluteus_medius",
    "gluteus_minimus",
    "piriformis",
    "rectus_femoris",
    "vastus_lateralis",
    "vastus_medialis",
    "vastus_intermedius",
    "sartorius",
    "adductor_longus",
    "adductor_brevis",
    "adductor_magnus",
    "pectineus",
    "gracilis",
    "biceps_femoris",
    "semitendinosus",
    "semimembranosus",
    "quadratus_lumborum",
    "iliocostalis_lumborum",
    "longissimus_thoracis",
    "soleus",
    "gastrocnemius",
    "masseter",
    "temporalis",
    "lateral_pterygoid",
    "medial_pterygoid",
    # The whole body.
    "upper_trapezius",
    "levator_scapulae",
    "sternocleidomastoid",
    "scalenes",
    "splenius_capitis",
    "suboccipitals",
    "digastric",
    "infraspinatus",
    "supraspinatus",
    "teres_minor",
    "subscapularis",
    "rhomboids",
    "middle_trapezius",
    "lower_trapezius",
    "serratus_anterior",
    "latissimus_dorsi",
    "deltoid",
    "pectoralis_major",
    "pectoralis_minor",
    "biceps_brachii",
    "triceps_brachii",
    "brachialis",
    "brachioradialis",
    "extensor_carpi_radialis",
    "extensor_digitorum",
    "supinator",
    "forearm_flexors",
    "adductor_pollicis",
    "rectus_abdominis",
    "external_oblique",
    "multifidus",
    "tibialis_anterior",
    "fibularis_longus",
    "tibialis_posterior",
    "popliteus",
    "extensor_digitorum_longus",
    "flexor_digitorum_longus",
    "abductor_hallucis",
]


SINGULAR = {
    "areas": "body area",
    "sensations": "sensation",
    "conditions": "condition",
    "activities": "activity",
    "tools": "tool",
    "traits": "trait",
    "root_cause_factors": "root-cause factor",
    "muscles": "muscle",
    "places": "body area or danger zone",
    "caution_topics": "caution topic (a danger zone, a body area or one of the vocabulary's caution_topics)",
}

# One file per list of entries, and what one entry is called in messages.
ENTRIES = {"muscles.yml": ("muscles", "muscle"), "danger_zones.yml": ("zones", "zone")}


class KnowledgeError(ValueError):
    """The knowledge base is malformed; the message names entry and field."""


@dataclass(frozen=True)
class Knowledge:
    vocabulary: Vocabulary
    muscles: Dict[str, Muscle]
    danger_zones: Dict[str, DangerZone] = field(default_factory=dict)
    # Which zones each area's body-map shapes overlap; empty when the
    # knowledge is built without zones.
    body_map: danger.BodyMap = field(default_factory=lambda: danger.BodyMap(views=(), zones_on_map={}))
    areas: Dict[str, Area] = field(init=False)
    groups: Dict[str, MuscleGroup] = field(init=False)
    # Muscle ids each nickname stands for, in knowledge-base order.
    group_members: Dict[str, Tuple[str, ...]] = field(init=False)
    _ancestors: Dict[str, Tuple[str, ...]] = field(init=False)

    def __post_init__(self) -> None:
        areas = {a.id: a for a in self.vocabulary.areas}
        object.__setattr__(self, "areas", areas)
        object.__setattr__(self, "_ancestors", {a: _ancestors(areas, a) for a in areas})
        object.__setattr__(self, "groups", {g.id: g for g in self.vocabulary.muscle_groups})
        members = {g.id: _members(g, self.muscles) for g in self.vocabulary.muscle_groups}
        object.__setattr__(self, "group_members", members)

    def ancestors(self, area_id: str) -> Tuple[str, ...]:
        """Every area that `area_id` is part of, transitively."""
        return self._ancestors[area_id]

    def zones_touched(self, release: Release) -> List[DangerZone]:
        """The danger zones a release presses on, by area or by geometry."""
        return danger.zones_touched(self.areas, self.body_map, release, self.danger_zones.values())

    def tool(self, ident: str) -> Tool:
        """A tool with how it presses (`term` is typed with only the common fields)."""
        tool = self.term("tools", ident)
        assert isinstance(tool, Tool), "the vocabulary's tools are validated as Tool"
        return tool

    def term(self, kind: str, ident: str) -> VocabularyTerm:
        for term in getattr(self.vocabulary, kind):
            if term.id == ident:
                return term
        raise KeyError(f"{kind} {ident}")


def _members(group: MuscleGroup, muscles: Dict[str, Muscle]) -> Tuple[str, ...]:
    wanted = set(group.members or [group.id])
    return tuple(m.id for m in muscles.values() if m.id in wanted or m.group in wanted)


def _ancestors(areas: Dict[str, Area], area_id: str) -> Tuple[str, ...]:
    seen: List[str] = []
    stack = list(areas[area_id].part_of)
    while stack:
        parent = stack.pop()
        if parent not in seen:
            seen.append(parent)
            stack.extend(areas[parent].part_of)
    return tuple(seen)


def _read_yaml(path: Path) -> object:
    try:
        with path.open(encoding="utf-8") as handle:
            # libyaml's safe loader when present: same result, several times faster.
            return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except FileNotFoundError:
        raise KnowledgeError(f"{path.name}: file not found") from None
    except yaml.YAMLError as err:
        raise KnowledgeError(f"{path.name}: not valid YAML: {err}") from None


Model = TypeVar("Model", bound=BaseModel)


def _validate(model: Type[Model], raw: object, path: Path) -> Model:
    try:
        return model.parse_obj(raw)
    except ValidationError as err:
        key, label = ENTRIES.get(path.name, ("muscles", "muscle"))
        entries = raw.get(key, []) if isinstance(raw, dict) else []
        problems = [
            f"{path.name}: {error_location(e['loc'], entries if isinstance(entries, list) else [], key, label)}: {e['msg']}"
            for e in err.errors()
        ]
        raise KnowledgeError("\n".join(problems)) from None


def _references(muscle: Muscle) -> Iterator[Tuple[str, str, str]]:
    """(field path, vocabulary kind, id) for every id a muscle refers to."""
    for i, tp in enumerate(muscle.trigger_points):
        yield f"trigger_points.{i}.area", "areas", tp.area
    for i, ref in enumerate(muscle.referral):
        yield f"referral.{i}.area", "areas", ref.area
    for i, ident in enumerate(muscle.sensations):
        yield f"sensations.{i}", "sensations", ident
    for i, ident in enumerate(muscle.mimics):
        yield f"mimics.{i}", "conditions", ident
    for i, ident in enumerate(muscle.aggravated_by):
        yield f"aggravated_by.{i}", "activities", ident
    for i, rel in enumerate(muscle.release):
        yield f"release.{i}.tool", "tools", rel.tool
        for j, place in enumerate(rel.presses_on):
            yield f"release.{i}.presses_on.{j}", "places", place
    for i, caution in enumerate(muscle.cautions):
        yield f"cautions.{i}.topic", "caution_topics", caution.topic
    for i, check in enumerate(muscle.check_also):
        if check.area:
            yield f"check_also.{i}.area", "areas", check.area
        if check.muscle:
            yield f"check_also.{i}.muscle", "muscles", check.muscle
    for i, trait in enumerate(muscle.traits):
        yield f"traits.{i}.trait", "traits", trait.trait
    for i, cause in enumerate(muscle.root_causes):
        yield f"root_causes.{i}.factor", "root_cause_factors", cause.factor


def _check_vocabulary(vocab: Vocabulary, path: Path) -> None:
    area_ids = {a.id for a in vocab.areas}
    for kind in ("areas", "conditions", "activities", "sensations", "tools", "muscle_groups"):
        seen: Dict[str, str] = {}
        for term in getattr(vocab, kind):
            if term.id in seen.values():
                raise KnowledgeError(f"{path.name}: {kind} '{term.id}': duplicate id")
            for phrase in [term.name, *term.synonyms]:
                key = phrase.lower()
                if key in seen and seen[key] != term.id:
                    raise KnowledgeError(
                        f"{path.name}: {kind} '{term.id}', field 'synonyms': '{phrase}' is already used by '{seen[key]}'"
                    )
                seen[key] = term.id
    for area in vocab.areas:
        for parent in area.part_of:
            if parent not in area_ids:
                raise KnowledgeError(f"{path.name}: areas '{area.id}', field 'part_of': unknown area '{parent}'")
    for activity in vocab.activities:
        if activity.area and activity.area not in area_ids:
            raise KnowledgeError(f"{path.name}: activities '{activity.id}', field 'area': unknown area '{activity.area}'")
    tool_ids = {t.id for t in vocab.tools}
    for tool, substitutes in vocab.tool_substitutes.items():
        for ident in [tool, *substitutes]:
            if ident not in tool_ids:
                raise KnowledgeError(f"{path.name}: tool_substitutes '{tool}': unknown tool '{ident}'")


def _check_muscles(muscles: List[Muscle], vocab: Vocabulary, zone_ids: Set[str], path: Path) -> None:
    """Every id a muscle uses must be declared; `presses_on` and caution
    topics may also name a danger zone."""
    area_ids = {a.id for a in vocab.areas}
    known = {
        "areas": area_ids,
        "places": area_ids | zone_ids,
        "caution_topics": area_ids | zone_ids | set(vocab.caution_topics),
        "sensations": {t.id for t in vocab.sensations},
        "conditions": {t.id for t in vocab.conditions},
        "activities": {t.id for t in vocab.activities},
        "tools": {t.id for t in vocab.tools},
        "traits": set(vocab.traits),
        "root_cause_factors": set(vocab.root_cause_factors),
        "muscles": {m.id for m in muscles},
    }
    present = {m.id for m in muscles}
    missing = [m for m in CANONICAL_MUSCLES if m not in present]
    if missing:
        raise KnowledgeError(f"{path.name}: missing canonical muscles: {', '.join(missing)}")
    seen_ids: set = set()
    alias_owner: Dict[str, str] = {}
    for muscle in muscles:
        where = f"{path.name}: muscle '{muscle.id}'"
        if muscle.id in seen_ids:
            raise KnowledgeError(f"{where}, field 'id': duplicate muscle id")
        seen_ids.add(muscle.id)
        for field_path, kind, ident in _references(muscle):
            if ident not in known[kind]:
                raise KnowledgeError(f"{where}, field '{field_path}': unknown {SINGULAR[kind]} '{ident}'")
        generic = {a.id for a in vocab.areas if a.generic}
        tools = {t.id: t for t in vocab.tools}
        for i, rel in enumerate(muscle.release):
            if not tools[rel.tool].offered:
                raise KnowledgeError(
                    f"{where}, field 'release.{i}.tool': the {tools[rel.tool].name} is never offered as a release method"
                )
            for j, area in enumerate(rel.presses_on):
                if area in generic:
                    raise KnowledgeError(
                        f"{where}, field 'release.{i}.presses_on.{j}': '{area}' is too broad; name the part it presses on"
                    )
        for i, alias in enumerate([muscle.name, *muscle.aliases]):
            key = alias.lower()
            owner = alias_owner.get(key)
            if owner is not None and owner != muscle.id:
                field_name = "name" if i == 0 else f"aliases.{i - 1}"
                raise KnowledgeError(f"{where}, field '{field_name}': '{alias}' is already an alias of '{owner}'")
            alias_owner[key] = muscle.id


def _check_groups(muscles: List[Muscle], vocab: Vocabulary, path: Path) -> None:
    """A nickname must stand for muscles that exist: a group added ahead of
    its muscles would match words and rank nothing."""
    known = {m.id for m in muscles} | {m.group for m in muscles}
    for group in vocab.muscle_groups:
        for i, member in enumerate(group.members or [group.id]):
            if member not in known:
                where = f"field 'members.{i}'" if group.members else "field 'id'"
                raise KnowledgeError(f"{path.name}: muscle_groups '{group.id}', {where}: unknown muscle or group '{member}'")


def body_map(vocab: Vocabulary, zones: DangerZoneFile) -> danger.BodyMap:
    """Which zones each area's body-map shapes overlap (a broad area is drawn
    as its parts), for the danger check's geometry."""
    # Imported here: the body-map package's renderer loads the knowledge base,
    # so a module-level import would be circular.
    from assistant.bodymap.geometry import area_zones, default_geometry, shape_of

    geometry = default_geometry()
    parts: Dict[str, List[str]] = {}
    for area in vocab.areas:
        for whole in area.part_of:
            parts.setdefault(whole, []).append(area.id)
    zone_shapes = [(z.id, s.view, shape_of(s.dict(exclude_none=True))) for z in zones.zones for s in z.map]
    zones_on_map = {
        area.id: {
            zone_id
            for drawn in area_zones(geometry, parts, area.id)
            for zone_id, view, shape in zone_shapes
            if view == drawn.view and drawn.shape.overlaps(shape)
        }
        for area in vocab.areas
    }
    return danger.BodyMap(views=frozenset(geometry.views), zones_on_map=zones_on_map)


def _check_danger_zones(muscles: List[Muscle], vocab: Vocabulary, zones: DangerZoneFile, shapes: danger.BodyMap, zones_path: Path) -> None:
    areas = {a.id: a for a in vocab.areas}
    tools = {t.id: t for t in vocab.tools}
    zone_problems = danger.zone_file_problems(zones, areas, shapes.views)
    if zone_problems:
        raise KnowledgeError("\n".join(f"{zones_path.name}: {p}" for p in zone_problems))
    release_problems = danger.problems(muscles, tools, areas, zones, shapes)
    if release_problems:
        raise KnowledgeError("\n".join(f"muscles.yml: {p}" for p in release_problems))


def load_knowledge(directory: Path | None = None) -> Knowledge:
    """Parse and cross-check vocabulary.yml, muscles.yml and danger_zones.yml
    from `directory`; no release may press into a danger zone."""
    directory = Path(directory) if directory else KNOWLEDGE_DIR
    vocab_path, muscles_path = directory / "vocabulary.yml", directory / "muscles.yml"
    zones_path = directory / "danger_zones.yml"
    vocab = _validate(Vocabulary, _read_yaml(vocab_path), vocab_path)
    _check_vocabulary(vocab, vocab_path)
    kb_file = _validate(KnowledgeFile, _read_yaml(muscles_path), muscles_path)
    zones = _validate(DangerZoneFile, _read_yaml(zones_path), zones_path)
    _check_muscles(kb_file.muscles, vocab, {z.id for z in zones.zones}, muscles_path)
    _check_groups(kb_file.muscles, vocab, vocab_path)
    shapes = body_map(vocab, zones)
    _check_danger_zones(kb_file.muscles, vocab, zones, shapes, zones_path)
    return Knowledge(
        vocabulary=vocab,
        muscles={m.id: m for m in kb_file.muscles},
        danger_zones={z.id: z for z in zones.zones},
        body_map=shapes,
    )


@lru_cache(maxsize=1)
def default_knowledge() -> Knowledge:
    """The shipped knowledge base, loaded once per process."""
    return load_knowledge()
