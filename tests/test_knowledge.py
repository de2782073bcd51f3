"""The knowledge base loads, is complete, and a broken file names the problem."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import pytest
import yaml

from assistant.knowledge.loader import CANONICAL_MUSCLES, KNOWLEDGE_DIR, KnowledgeError, default_knowledge, load_knowledge


def test_every_canonical_muscle_is_present() -> None:
    assert set(CANONICAL_MUSCLES) <= set(default_knowledge().muscles)


@pytest.mark.parametrize("muscle_id", sorted(default_knowledge().muscles))
def test_entry_is_complete(muscle_id: str) -> None:
    muscle = default_knowledge().muscles[muscle_id]
    assert len(muscle.aliases) >= 2, "lay and anatomical aliases"
    assert muscle.trigger_points and muscle.referral and len(muscle.symptoms) >= 4
    assert any(r.kind.value == "essential" for r in muscle.referral)
    assert len(muscle.release) >= 2, "at least two release methods"
    assert all(r.steps for r in muscle.release)
    assert muscle.aggravated_by and muscle.root_causes and muscle.sources
    assert muscle.check_also, "related areas to check"


def test_area_relations_are_transitive() -> None:
    kb = default_knowledge()
    assert "knee" in kb.ancestors("outside_of_knee")
    assert "outside_of_thigh" in kb.ancestors("outside_of_knee")
    assert "leg" in kb.ancestors("outside_of_knee")
    assert kb.ancestors("lower_back") == ()


@pytest.fixture
def kb_copy(tmp_path: Path) -> Callable[[Callable[[dict, dict], None]], Path]:
    """Copy the KB, let a test break it, return the folder."""

    def make(mutate: Callable[[dict, dict], None]) -> Path:
        for name in ("muscles.yml", "vocabulary.yml", "danger_zones.yml"):
            shutil.copy(KNOWLEDGE_DIR / name, tmp_path / name)
        muscles = yaml.safe_load((tmp_path / "muscles.yml").read_text())
        vocabulary = yaml.safe_load((tmp_path / "vocabulary.yml").read_text())
        mutate(muscles, vocabulary)
        (tmp_path / "muscles.yml").write_text(yaml.safe_dump(muscles))
        (tmp_path / "vocabulary.yml").write_text(yaml.safe_dump(vocabulary))
        return tmp_path

    return make


def entry(muscles: dict, muscle_id: str) -> dict:
    return next(m for m in muscles["muscles"] if m["id"] == muscle_id)


def test_copy_of_good_kb_loads(kb_copy) -> None:
    assert len(load_knowledge(kb_copy(lambda m, v: None)).muscles) >= 28


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda m, v: entry(m, "piriformis").pop("referral"), ["muscle 'piriformis'", "field 'referral'", "field required"]),
        (
            lambda m, v: entry(m, "gluteus_medius")["check_also"].append({"muscle": "no_such_muscle", "why": "nowhere"}),
            ["muscle 'gluteus_medius'", "check_also.", "unknown muscle 'no_such_muscle'"],
        ),
        (
            lambda m, v: entry(m, "sartorius")["aliases"].append("TFL"),
            ["muscle 'sartorius'", "field 'aliases.", "'TFL' is already an alias of 'tensor_fasciae_latae'"],
        ),
        (
            lambda m, v: entry(m, "soleus")["referral"].append({"area": "elbow_pit", "kind": "essential"}),
            ["muscle 'soleus'", "field 'referral.", "unknown body area 'elbow_pit'"],
        ),
        (
            lambda m, v: entry(m, "masseter")["release"][0].update(ease="trivial"),
            ["muscle 'masseter'", "field 'release.0.ease'"],
        ),
        (
            lambda m, v: entry(m, "pectineus").update(aggravated_by=["juggling"]),
            ["muscle 'pectineus'", "field 'aggravated_by.0'", "unknown activity 'juggling'"],
        ),
        (
            lambda m, v: m["muscles"].append(dict(entry(m, "gracilis"))),
            ["muscle 'gracilis'", "field 'id'", "duplicate muscle id"],
        ),
        (
            lambda m, v: m.update(muscles=[x for x in m["muscles"] if x["id"] != "iliopsoas"]),
            ["missing canonical muscles: iliopsoas"],
        ),
        (
            lambda m, v: v["areas"].append({"id": "hip_two", "name": "hip two", "synonyms": ["outer hip"]}),
            ["vocabulary.yml", "areas 'hip_two'", "'outer hip' is already used by 'side_of_hip'"],
        ),
        (
            lambda m, v: entry(m, "soleus")["release"][0].pop("presses_on"),
            ["muscle 'soleus'", "field 'release.0.presses_on'", "field required"],
        ),
        (
            lambda m, v: entry(m, "soleus")["release"][0].update(presses_on=["elbow_pit"]),
            ["muscle 'soleus'", "field 'release.0.presses_on.0'", "unknown body area or danger zone 'elbow_pit'"],
        ),
        (
            lambda m, v: entry(m, "brachialis")["cautions"][0].update(topic="inner_arm_vessels"),
            ["muscle 'brachialis'", "field 'cautions.0.topic'", "unknown caution topic", "'inner_arm_vessels'"],
        ),
        (
            lambda m, v: v["caution_topics"].pop("red_flags"),
            ["muscle '", "field 'cautions.", "unknown caution topic", "'red_flags'"],
        ),
        (
            lambda m, v: entry(m, "soleus")["release"][1].update(presses_on=["lower_leg"]),
            ["muscle 'soleus'", "field 'release.1.presses_on.0'", "'lower_leg' is too broad"],
        ),
        (
            lambda m, v: entry(m, "adductor_longus")["release"][0].update(discouraged=True),
            ["muscle 'adductor_longus'", "field 'release.0.discouraged'", "extra fields not permitted"],
        ),
        (
            lambda m, v: next(t for t in v["tools"] if t["id"] == "kong_ball").pop("pressure"),
            ["vocabulary.yml", "tools.", "pressure", "field required"],
        ),
        (
            lambda m, v: v["muscle_groups"].append({"id": "zygomatics", "name": "zorbs", "synonyms": ["zorb"]}),
            ["vocabulary.yml", "muscle_groups 'zygomatics'", "field 'id'", "unknown muscle or group 'zygomatics'"],
        ),
        (
            lambda m, v: v["muscle_groups"].append({"id": "zorbs", "name": "zorbs", "members": ["soleus", "zygomaticus"]}),
            ["vocabulary.yml", "muscle_groups 'zorbs'", "field 'members.1'", "unknown muscle or group 'zygomaticus'"],
        ),
        (
            lambda m, v: v["muscle_groups"].append({"id": "hammies", "name": "hams"}),
            ["vocabulary.yml", "muscle_groups 'hammies'", "'hams' is already used by 'hamstrings'"],
        ),
        (
            lambda m, v: next(a for a in v["activities"] if a["id"] == "swallowing").update(area="gullet"),
            ["vocabulary.yml", "activities 'swallowing'", "field 'area'", "unknown area 'gullet'"],
        ),
    ],
    ids=["missing-field", "unknown-check-also", "duplicate-alias", "unknown-area", "bad-enum", "unknown-activity",
         "duplicate-id", "missing-canonical", "duplicate-synonym", "missing-presses-on", "unknown-presses-on",
         "generic-presses-on", "caution-under-no-zone", "caution-topic-undeclared", "discouraged-field-gone", "tool-without-pressure", "nickname-before-its-muscles",
         "nickname-with-unknown-member", "duplicate-nickname", "activity-with-unknown-area"],
)
def test_malformed_kb_names_entry_and_field(kb_copy, mutate, expected) -> None:
    folder = kb_copy(mutate)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(folder)
    for fragment in expected:
        assert fragment in str(caught.value)


def test_invalid_yaml_is_reported(tmp_path: Path) -> None:
    shutil.copy(KNOWLEDGE_DIR / "vocabulary.yml", tmp_path / "vocabulary.yml")
    (tmp_path / "muscles.yml").write_text("muscles: [\n  - id: broken")
    with pytest.raises(KnowledgeError, match="muscles.yml: not valid YAML"):
        load_knowledge(tmp_path)


def test_a_nickname_stands_for_its_group_or_the_members_it_lists() -> None:
    members = default_knowledge().group_members
    assert members["hamstrings"] == ("biceps_femoris", "semitendinosus", "semimembranosus")
    # Listed members join the group's own muscles.
    assert {"iliopsoas", "rectus_femoris", "tensor_fasciae_latae", "sartorius"} == set(members["hip_flexors"])
    assert {"quadratus_lumborum", "iliocostalis_lumborum", "longissimus_thoracis", "multifidus"} == set(members["lower_back_muscles"])
    assert all(members.values())
