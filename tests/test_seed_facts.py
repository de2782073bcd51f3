"""Every fact from the hip-and-thigh seed notes must be in the knowledge base.

The seed is the hip-and-thigh self-treatment notes the KB was built from. Each fact
is checked through the structured fields of a muscle (trait ids, caution
topics, mimics, referral areas and kinds, release tools, check_also targets,
aggravating activities, root-cause factors, trigger-point labels). Prose is
only searched where the fact can live nowhere else than in the text of one
structured item: a release's steps, a root cause's text or a symptom phrase.

A failing assertion names the muscle and the seed fact that is missing.
"""

from __future__ import annotations

import re
from typing import Iterable, List, Set

import pytest

from assistant.knowledge.loader import default_knowledge
from assistant.knowledge.schema import Muscle, Release

KB = default_knowledge()

QUADS = ["rectus_femoris", "vastus_lateralis", "vastus_medialis", "vastus_intermedius"]
ADDUCTOR_GROUP = ["adductor_longus", "adductor_brevis", "pectineus", "gracilis"]
# The group's knee pain like a cartilage injury does not carry over to the
# pectineus: its published referral stays in the groin and upper inner thigh.
ADDUCTORS_OUTSIDE_THE_TRIANGLE = ["adductor_longus", "adductor_brevis", "gracilis"]
# The group's ball methods carry over only to the gracilis, on the lowest
# third of the thigh: under the pectineus a ball sits in the femoral triangle,
# and under the long and short adductors in it or on the adductor canal below
# it (the second clinical review; docs/safety.md H49).
ADDUCTORS_WITH_A_BALL = ["gracilis"]
SMALL_GLUTES = ["gluteus_minimus", "gluteus_medius"]
MEDIAL_HAMSTRINGS = ["semitendinosus", "semimembranosus"]
SUPERFICIAL_SPINAL = ["iliocostalis_lumborum", "longissimus_thoracis"]
JAW_MUSCLES = ["masseter", "temporalis", "lateral_pterygoid", "medial_pterygoid"]
# Reached from inside the mouth; the temporalis is worked at the temple.
INSIDE_MOUTH_JAW_MUSCLES = ["masseter", "lateral_pterygoid", "medial_pterygoid"]
# Glute max tightness pulls on the IT band (a check_also of the TFL), but its
# referral is not mistaken for IT band syndrome.
IT_BAND_SOURCES = ["tensor_fasciae_latae", "gluteus_medius"]
FED_BY_SLEEP_AND_SITTING = ["tensor_fasciae_latae", "vastus_lateralis"]


# --- helpers -----------------------------------------------------------------


def muscle(muscle_id: str) -> Muscle:
    assert muscle_id in KB.muscles, f"muscle '{muscle_id}' is not in the knowledge base"
    return KB.muscles[muscle_id]


def traits(m: Muscle) -> Set[str]:
    return {t.trait for t in m.traits}


def caution_topics(m: Muscle) -> Set[str]:
    return {c.topic for c in m.cautions}


def tools(m: Muscle) -> Set[str]:
    return {r.tool for r in m.release}


def releases_with(m: Muscle, tool: str) -> List[Release]:
    return [r for r in m.release if r.tool == tool]


def referral_areas(m: Muscle, kind: str | None = None) -> Set[str]:
    return {r.area for r in m.referral if kind is None or r.kind.value == kind}


def check_also_muscles(m: Muscle) -> Set[str]:
    return {c.muscle for c in m.check_also if c.muscle}


def check_also_areas(m: Muscle) -> Set[tuple]:
    """(area, side) for every area the muscle says to check as well."""
    return {(c.area, c.side) for c in m.check_also if c.area}


def root_factors(m: Muscle) -> Set[str]:
    return {r.factor for r in m.root_causes}


def trigger_point_labels(m: Muscle) -> Set[str]:
    return {tp.label for tp in m.trigger_points}


def in_region(area: str, region: str) -> bool:
    """True when `area` is `region` itself or lies (transitively) inside it."""
    return area == region or region in KB.ancestors(area)


def mentions(text: str, *patterns: str) -> bool:
    """True when every regex in `patterns` occurs in `text` (case-insensitive)."""
    return all(re.search(p, text, re.IGNORECASE) for p in patterns)


def steps_text(release: Release) -> str:
    return " ".join(release.steps)


def require(m: Muscle, fact: str, field: str, wanted: str, have: Iterable) -> None:
    have = set(have)
    assert wanted in have, f"{m.id}: missing seed fact '{fact}' ({field} '{wanted}' not in {sorted(map(str, have))})"


def require_trait(m: Muscle, trait: str, fact: str) -> None:
    require(m, fact, "trait", trait, traits(m))


def require_caution(m: Muscle, topic: str, fact: str) -> None:
    require(m, fact, "caution topic", topic, caution_topics(m))


def require_release(m: Muscle, tool: str, fact: str) -> List[Release]:
    require(m, fact, "release tool", tool, tools(m))
    return releases_with(m, tool)


# --- iliopsoas -----------------------------------------------------------------


def test_iliopsoas_is_not_the_root_of_the_problem():
    require_trait(muscle("iliopsoas"), "not_root_cause", "psoas is not the root of the problem")


def test_iliopsoas_do_not_go_straight_for_it():
    require_caution(muscle("iliopsoas"), "indirect_first", "don't go straight for the psoas")


@pytest.mark.parametrize("first", ["rectus_femoris", "piriformis", "quadratus_lumborum"])
def test_iliopsoas_work_quads_piriformis_and_back_first(first):
    m = muscle("iliopsoas")
    require(m, f"work {first} before the psoas", "check_also muscle", first, check_also_muscles(m))


def test_iliopsoas_treat_other_areas_first():
    require_trait(muscle("iliopsoas"), "treat_others_first", "work quads, piriformis and back first")


def test_iliopsoas_professional_testing_helps():
    require_trait(muscle("iliopsoas"), "professional_testing_helps", "professional testing is very helpful")


def test_iliopsoas_often_resolves_when_other_areas_are_fixed():
    require_trait(muscle("iliopsoas"), "resolves_when_others_fixed", "psoas resolves itself when other quirks are fixed")


def test_iliopsoas_caution_after_abdominal_surgery():
    require_caution(muscle("iliopsoas"), "abdominal_surgery", "no direct psoas release with surgical material in the abdomen")


# --- IT band, TFL, vastus lateralis --------------------------------------------------


@pytest.mark.parametrize("muscle_id", IT_BAND_SOURCES)
def test_it_band_pain_comes_from_tfl_and_glutes(muscle_id):
    m = muscle(muscle_id)
    require(m, "IT band pain comes from tightness in the TFL and glutes", "mimic", "it_band_syndrome", m.mimics)


@pytest.mark.parametrize("glute", ["gluteus_maximus", "gluteus_medius", "gluteus_minimus"])
def test_tfl_points_to_the_glutes_for_it_band_pain(glute):
    m = muscle("tensor_fasciae_latae")
    require(m, "IT band pain comes from tightness in the TFL and glutes", "check_also muscle", glute, check_also_muscles(m))


def test_massaging_the_it_band_itself_does_not_help():
    require_caution(muscle("tensor_fasciae_latae"), "it_band_direct", "direct IT band massage does not relieve symptoms")


def test_side_of_thigh_pain_most_likely_comes_from_vastus_lateralis():
    m = muscle("vastus_lateralis")
    require(
        m,
        "side-of-thigh pain comes from vastus lateralis",
        "essential referral",
        "outside_of_thigh",
        referral_areas(m, "essential"),
    )


@pytest.mark.parametrize("activity", ["fetal_position", "knees_to_chest"])
@pytest.mark.parametrize("muscle_id", FED_BY_SLEEP_AND_SITTING)
def test_fetal_sleeping_and_knees_to_chest_sitting_aggravate(muscle_id, activity):
    m = muscle(muscle_id)
    require(m, "avoid fetal-position sleep and knees pulled to the chest", "aggravated_by", activity, m.aggravated_by)


@pytest.mark.parametrize("factor", ["sleep_position", "sitting_posture"])
@pytest.mark.parametrize("muscle_id", FED_BY_SLEEP_AND_SITTING)
def test_sleeping_and_sitting_positions_are_root_causes(muscle_id, factor):
    m = muscle(muscle_id)
    require(m, "be mindful of sleeping and sitting positions", "root cause", factor, root_factors(m))


# --- vastus medialis ---------------------------------------------------------------


def test_vastus_medialis_causes_a_buckling_knee():
    m = muscle("vastus_medialis")
    require(m, "vastus medialis causes a buckling knee", "sensation", "buckling", m.sensations)
    require_trait(m, "knee_instability", "vastus medialis causes a buckling knee")


@pytest.mark.parametrize("condition", ["meniscus_tear", "ligament_damage", "arthritis"])
def test_vastus_medialis_is_mistaken_for_knee_damage(condition):
    m = muscle("vastus_medialis")
    require(m, f"vastus medialis points are mistaken for {condition}", "mimic", condition, m.mimics)


# --- all quads ---------------------------------------------------------------------


@pytest.mark.parametrize("muscle_id", QUADS)
def test_quads_release_easily_with_any_method(muscle_id):
    m = muscle(muscle_id)
    require_trait(m, "easy_release", "quads release easily with any method")
    thumb = require_release(m, "thumb", "a quad point comes out with a thumb at a traffic light")
    assert any(r.ease.value == "easy" for r in thumb), (
        f"{m.id}: missing seed fact 'quads release easily with the thumb' (thumb release is not ease 'easy')"
    )


@pytest.mark.parametrize("muscle_id", QUADS)
def test_quads_pull_on_the_pelvis(muscle_id):
    require_trait(muscle(muscle_id), "pulls_pelvis", "quads can pull strongly on the pelvis")


@pytest.mark.parametrize("muscle_id", QUADS)
def test_quads_cause_knee_pain(muscle_id):
    m = muscle(muscle_id)
    areas = referral_areas(m)
    assert any(in_region(a, "knee") for a in areas), (
        f"{m.id}: missing seed fact 'quads cause knee pain' (no referral area in the knee region: {sorted(areas)})"
    )


def test_rectus_femoris_causes_hip_pain():
    m = muscle("rectus_femoris")
    areas = referral_areas(m)
    assert any(in_region(a, "hip") for a in areas), (
        f"{m.id}: missing seed fact 'quads cause hip pain' (no referral area in the hip region: {sorted(areas)})"
    )


@pytest.mark.parametrize("muscle_id", QUADS)
def test_quads_posture_improves_when_clear(muscle_id):
    require_trait(muscle(muscle_id), "posture_improves_when_clear", "posture feels improved when the quads are clear")


# --- adductor longus / brevis, pectineus, gracilis ---------------------------------------


@pytest.mark.parametrize("muscle_id", ADDUCTOR_GROUP)
def test_adductor_group_is_very_painful_to_release(muscle_id):
    require_trait(muscle(muscle_id), "very_painful", "adductor points are among the most painful to release")


@pytest.mark.parametrize("muscle_id", ADDUCTOR_GROUP)
def test_adductor_group_alters_the_squat_pattern(muscle_id):
    require_trait(muscle(muscle_id), "alters_squat", "adductors alter the squat pattern by pulling to the side")


@pytest.mark.parametrize("muscle_id", ADDUCTORS_OUTSIDE_THE_TRIANGLE)
def test_adductor_group_mimics_a_cartilage_injury(muscle_id):
    m = muscle(muscle_id)
    require(m, "adductors inflame the knee like a cartilage tear", "mimic", "cartilage_injury", m.mimics)


@pytest.mark.parametrize("muscle_id", ADDUCTOR_GROUP)
def test_adductor_group_tilts_the_pelvis(muscle_id):
    require_trait(muscle(muscle_id), "tilts_pelvis", "adductors can tilt the pelvis")


@pytest.mark.parametrize("muscle_id", ADDUCTOR_GROUP)
def test_adductor_group_inhibits_the_glutes(muscle_id):
    require_trait(muscle(muscle_id), "inhibits_glutes", "adductors can inhibit the glutes")


@pytest.mark.parametrize("muscle_id", ADDUCTOR_GROUP)
def test_adductor_group_is_quick_to_strengthen(muscle_id):
    require_trait(muscle(muscle_id), "quick_to_strengthen", "adductor strength and tissue quality improve quickly")


@pytest.mark.parametrize("muscle_id", ADDUCTOR_GROUP)
def test_adductor_group_is_quick_to_regress(muscle_id):
    require_trait(muscle(muscle_id), "quick_to_regress", "adductors are quick to regress and bind up")


@pytest.mark.parametrize("muscle_id", ADDUCTOR_GROUP)
def test_adductor_group_releases_with_the_hands(muscle_id):
    require_release(muscle(muscle_id), "hands", "adductors release best with the hands")


@pytest.mark.parametrize("tool", ["lacrosse_ball", "kong_ball"])
@pytest.mark.parametrize("muscle_id", ADDUCTORS_WITH_A_BALL)
def test_adductor_group_releases_with_lacrosse_and_kong_ball(muscle_id, tool):
    require_release(muscle(muscle_id), tool, f"adductors release with {tool}")


@pytest.mark.parametrize("muscle_id", ADDUCTORS_WITH_A_BALL)
def test_adductor_group_lacrosse_ball_release_turns_the_foot_in(muscle_id):
    m = muscle(muscle_id)
    balls = require_release(m, "lacrosse_ball", "lie on a lacrosse ball and turn the leg, foot in")
    assert any(mentions(steps_text(r), r"\bfoot\b", r"\bturns?\b[^.]*\bin\b") for r in balls), (
        f"{m.id}: missing seed fact 'lacrosse ball release passively turns the foot in' (no step mentions turning the foot in)"
    )


@pytest.mark.parametrize("muscle_id", ADDUCTOR_GROUP)
def test_adductor_group_has_no_barbell_release(muscle_id):
    m = muscle(muscle_id)
    assert not releases_with(m, "barbell"), (
        f"{m.id}: the seed's author says she should forget the barbell method exists, so it is not offered"
    )


@pytest.mark.parametrize("muscle_id", ADDUCTOR_GROUP)
def test_adductor_group_needing_metal_means_a_deeper_problem(muscle_id):
    require_caution(muscle(muscle_id), "deeper_problem", "a spot that needs metal means something deeper is wrong")


@pytest.mark.parametrize("muscle_id", ADDUCTOR_GROUP)
def test_adductor_group_mind_the_femoral_triangle(muscle_id):
    require_caution(muscle(muscle_id), "femoral_triangle", "be mindful of the femoral triangle in the adductor region")


@pytest.mark.parametrize("muscle_id", ADDUCTOR_GROUP)
def test_adductor_group_check_gluteus_medius(muscle_id):
    m = muscle(muscle_id)
    require(m, "adductors keep the glutes from engaging", "check_also muscle", "gluteus_medius", check_also_muscles(m))


# --- adductor magnus ---------------------------------------------------------------


def test_adductor_magnus_has_trp2():
    m = muscle("adductor_magnus")
    require(m, "adductor magnus TrP2", "trigger point label", "TrP2", trigger_point_labels(m))


def test_adductor_magnus_releases_sitting_on_a_chair_with_a_ball():
    require_release(muscle("adductor_magnus"), "chair_and_ball", "TrP2 is easy to reach sitting on a chair with a ball")


def test_adductor_magnus_resolves_when_other_areas_are_fixed():
    require_trait(
        muscle("adductor_magnus"), "resolves_when_others_fixed", "adductor magnus resolves when other areas are addressed"
    )


# --- gluteus minimus and medius ------------------------------------------------------


@pytest.mark.parametrize("muscle_id", SMALL_GLUTES)
def test_small_glutes_can_be_excruciating(muscle_id):
    require_trait(muscle(muscle_id), "excruciating", "glute min/med can be excruciating")


@pytest.mark.parametrize("muscle_id", SMALL_GLUTES)
def test_small_glutes_trigger_points_are_very_common(muscle_id):
    require_trait(muscle(muscle_id), "very_common", "almost everyone has a glute min/med trigger point")


@pytest.mark.parametrize("muscle_id", SMALL_GLUTES)
def test_small_glutes_leave_you_unstable_after_release(muscle_id):
    require_trait(muscle(muscle_id), "instability_after_release", "unstable the first few times glute med was released")


@pytest.mark.parametrize("muscle_id", SMALL_GLUTES)
def test_small_glutes_feel_like_a_disc_herniation(muscle_id):
    m = muscle(muscle_id)
    require(m, "glute min/med can feel like a disc herniation", "mimic", "disc_herniation", m.mimics)


def test_gluteus_minimus_feels_like_sciatica():
    # Only the minimus: the medius's published pattern stops at the thigh (docs/safety.md H53).
    m = muscle("gluteus_minimus")
    require(m, "glute min can feel like sciatica", "mimic", "sciatica", m.mimics)


@pytest.mark.parametrize("muscle_id", SMALL_GLUTES)
def test_small_glutes_light_up_the_lateral_thigh(muscle_id):
    m = muscle(muscle_id)
    require(m, "lateral thigh can light up", "referral area", "outside_of_thigh", referral_areas(m))


def test_gluteus_minimus_radiates_down_to_the_lower_leg():
    m = muscle("gluteus_minimus")
    areas = referral_areas(m)
    assert areas & {"outside_of_lower_leg", "calf"}, (
        f"{m.id}: missing seed fact 'radiates down the legs, calf can light up' "
        f"(no referral to outside_of_lower_leg or calf: {sorted(areas)})"
    )


@pytest.mark.parametrize("muscle_id", SMALL_GLUTES)
def test_small_glutes_check_the_opposite_shoulder(muscle_id):
    m = muscle(muscle_id)
    require(m, "also check the opposite shoulder", "check_also (area, side)", ("shoulder", "opposite"), check_also_areas(m))


@pytest.mark.parametrize("muscle_id", SMALL_GLUTES)
def test_small_glutes_check_the_adductors(muscle_id):
    m = muscle(muscle_id)
    require(
        m,
        "adductor points keep the glutes from engaging; check them",
        "check_also muscle",
        "adductor_longus",
        check_also_muscles(m),
    )


# --- gluteus maximus ---------------------------------------------------------------


def test_gluteus_maximus_loses_tone_and_others_compensate():
    require_trait(muscle("gluteus_maximus"), "compensated_by_others", "when glute max loses tone everything else jumps in")


def test_gluteus_maximus_presents_as_a_twisting_spine():
    require_trait(muscle("gluteus_maximus"), "twisting_spine", "glute max may present as a twisting spine")


def test_gluteus_maximus_releases_with_figure_4_on_a_ball():
    require_release(muscle("gluteus_maximus"), "figure_4_ball", "cross the legs in a figure 4 and sit on the ball")


@pytest.mark.parametrize("partner", ["gluteus_medius", "gluteus_minimus"])
def test_gluteus_maximus_check_medius_and_minimus(partner):
    m = muscle("gluteus_maximus")
    require(m, "glute med and min jump in to stabilize", "check_also muscle", partner, check_also_muscles(m))


# --- semitendinosus and semimembranosus --------------------------------------------------


@pytest.mark.parametrize("area", ["back_of_thigh", "back_of_knee"])
@pytest.mark.parametrize("muscle_id", MEDIAL_HAMSTRINGS)
def test_medial_hamstrings_pain_runs_down_the_back_of_the_leg(muscle_id, area):
    m = muscle(muscle_id)
    require(m, "pain runs down the inside/back of the leg", "essential referral", area, referral_areas(m, "essential"))


@pytest.mark.parametrize("muscle_id", MEDIAL_HAMSTRINGS)
def test_medial_hamstrings_pain_runs_down_to_the_calf(muscle_id):
    m = muscle(muscle_id)
    require(m, "pain runs down to the calf", "referral area (spillover or essential)", "calf", referral_areas(m))


@pytest.mark.parametrize("muscle_id", MEDIAL_HAMSTRINGS)
def test_medial_hamstrings_are_mistaken_for_sciatica(muscle_id):
    m = muscle(muscle_id)
    require(m, "mistaken for sciatica", "mimic", "sciatica", m.mimics)


# --- quadratus lumborum ----------------------------------------------------------------


def test_quadratus_lumborum_mimics_hip_bursitis():
    m = muscle("quadratus_lumborum")
    require(m, "QL symptoms similar to hip bursitis", "mimic", "hip_bursitis", m.mimics)


def test_quadratus_lumborum_causes_mystery_pain():
    require_trait(muscle("quadratus_lumborum"), "mystery_pain", "QL causes mystery pain around the glutes and hips")


def test_quadratus_lumborum_is_not_stubborn():
    require_trait(muscle("quadratus_lumborum"), "not_stubborn", "QL points are not very stubborn")


def test_quadratus_lumborum_kong_ball_release_for_anterior_pelvic_tilt():
    m = muscle("quadratus_lumborum")
    kongs = require_release(m, "kong_ball", "with APT prefer a larger Kong ball")
    assert any(mentions(steps_text(r), r"pelvi", r"tilt") for r in kongs), (
        f"{m.id}: missing seed fact 'with anterior pelvic tilt prefer the Kong ball' (no kong_ball step mentions pelvic tilt)"
    )


def test_quadratus_lumborum_root_cause_is_pelvic_tilt():
    m = muscle("quadratus_lumborum")
    require(m, "anterior pelvic tilt", "root cause", "pelvic_tilt", root_factors(m))


# --- iliocostalis lumborum and longissimus thoracis -----------------------------------------


@pytest.mark.parametrize("muscle_id", SUPERFICIAL_SPINAL)
def test_back_stiffness_is_a_sign_of_latent_trigger_points(muscle_id):
    require_trait(muscle(muscle_id), "latent_stiffness", "lower back stiffness signals latent trigger points")


@pytest.mark.parametrize("muscle_id", SUPERFICIAL_SPINAL)
def test_back_tension_pulls_the_si_joint_out_of_place(muscle_id):
    require_trait(muscle(muscle_id), "pulls_si_joint", "back tension pulls the SI joint and twists the pelvis")


# --- soleus ------------------------------------------------------------------------


def test_soleus_causes_deep_sacroiliac_pain():
    m = muscle("soleus")
    require(m, "soleus causes deep pain in the sacroiliac area", "referral area", "sacroiliac", referral_areas(m))


def test_soleus_releases_easily_with_the_thumb():
    m = muscle("soleus")
    thumb = require_release(m, "thumb", "easy to release by digging a thumb in")
    assert any(r.ease.value == "easy" for r in thumb), (
        f"{m.id}: missing seed fact 'easy to release with the thumb' (thumb release is not ease 'easy')"
    )


def test_soleus_jaw_referral_is_kept_as_rare():
    m = muscle("soleus")
    require_trait(m, "rare_jaw_referral", "soleus can refer pain to the jaw (rare, per Travell & Simons)")
    text = next(t.text for t in m.traits if t.trait == "rare_jaw_referral")
    assert mentions(text, r"\brare", r"Travell"), f"{m.id}: the jaw referral must be called rare and credited"


def test_soleus_check_the_masseter():
    m = muscle("soleus")
    require(m, "soleus forms satellite points in the jaw", "check_also muscle", "masseter", check_also_muscles(m))


# --- jaw -----------------------------------------------------------------------------


@pytest.mark.parametrize("muscle_id", JAW_MUSCLES)
def test_jaw_mirrors_the_hips(muscle_id):
    require_trait(muscle(muscle_id), "mirrors_hips", "the jaw and hips mirror each other")


@pytest.mark.parametrize("muscle_id", JAW_MUSCLES)
def test_jaw_tension_check_the_hips(muscle_id):
    m = muscle(muscle_id)
    areas = {area for area, _side in check_also_areas(m)}
    require(m, "releasing the jaw releases the hips", "check_also area", "hip", areas)


@pytest.mark.parametrize("muscle_id", JAW_MUSCLES)
def test_jaw_points_return_unless_the_habit_changes(muscle_id):
    require_trait(muscle(muscle_id), "habit_driven", "a change of habits is absolutely necessary")


@pytest.mark.parametrize("muscle_id", INSIDE_MOUTH_JAW_MUSCLES)
def test_jaw_releases_with_the_thumb_inside_the_mouth(muscle_id):
    m = muscle(muscle_id)
    thumbs = require_release(m, "thumb", "put your thumb into your mouth and pinch against it from outside")
    assert any(mentions(steps_text(r), r"\bmouth\b") for r in thumbs), (
        f"{m.id}: missing seed fact 'thumb into the mouth, pinch from outside' (no thumb release step mentions the mouth)"
    )


@pytest.mark.parametrize("muscle_id", JAW_MUSCLES)
def test_jaw_clenching_root_cause_names_the_habit_change(muscle_id):
    m = muscle(muscle_id)
    require(m, "clenching and grinding keep regenerating the points", "root cause", "clenching", root_factors(m))
    causes = [r for r in m.root_causes if r.factor == "clenching"]
    assert any(mentions(r.text, r"habit|learn\w* to stop|stop clenching", r"slur|open") for r in causes), (
        f"{m.id}: missing seed fact 'learn to stop clenching: slur the speech, hold the jaw open' "
        "(clenching root cause does not name the habit change)"
    )


@pytest.mark.parametrize("muscle_id", JAW_MUSCLES)
def test_jaw_is_aggravated_by_clenching(muscle_id):
    m = muscle(muscle_id)
    require(m, "clenching and grinding when stressed", "aggravated_by", "clenching", m.aggravated_by)


def test_masseter_release_helps_sinus_drainage():
    require_trait(muscle("masseter"), "sinus_drainage", "releasing the jaw can cause sinus drainage")
