"""Symptom features -> ranked muscles, tested on lay wording and the dev set."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import understand
from assistant.features import Features, default_extractor
from assistant.knowledge.loader import Knowledge, default_knowledge
from assistant.matching import Matcher, Status, default_matcher
from assistant.tools.eval import engine_runner, load_cases, score

DATA = Path(__file__).parent / "data" / "eval"
LEGS_BACK_AND_JAW = {"hip", "thigh", "knee", "lower_back", "lower_leg", "foot", "jaw"}


def rank(text: str):
    return default_matcher().rank(understand.features(text))


def top(text: str, n: int = 3) -> list:
    return [s.muscle_id for s in rank(text).suggestions[:n]]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("my knee buckles going downstairs", "vastus_medialis"),
        ("the outside of my thigh burns when I lie on that side", "vastus_lateralis"),
        ("deep ache in my groin when I squat", "adductor_longus"),
        ("my doctor says sciatica but it runs down the back of my thigh to the knee", "semitendinosus"),
        ("my heel hurts first thing in the morning and my calf is tight", "soleus"),
        ("my jaw aches and my back teeth hurt from clenching", "masseter"),
        ("side of my lower back hurts when I roll over in bed", "quadratus_lumborum"),
    ],
)
def test_lay_descriptions_rank_the_expected_muscle_in_top_three(text: str, expected: str) -> None:
    assert expected in top(text)


def test_a_named_muscle_wins_even_with_other_evidence() -> None:
    assert top("my piriformis hurts and my knee buckles", 1) == ["piriformis"]
    assert top("what about my TFL", 1) == ["tensor_fasciae_latae"]


def test_word_order_and_typos_are_tolerated() -> None:
    assert "vastus_medialis" in top("going downstairs my kne buckles")
    assert "vastus_lateralis" in top("outsid of my thigh burnz")


def test_reason_uses_the_users_words() -> None:
    best = rank("the outside of my thigh burns when I lie on that side").suggestions[0]
    assert "outside of my thigh" in best.why
    assert 0 < best.score < 1


def test_no_usable_feature_says_not_enough() -> None:
    assert rank("it hurts").status is Status.vague
    assert rank("hello there").suggestions == ()


def test_a_broad_area_alone_asks_which_part() -> None:
    result = rank("my knee hurts")
    assert result.status is Status.generic_area and result.generic_area == "knee"


def test_areas_outside_our_regions_are_named_as_such() -> None:
    kb = default_knowledge()
    # Without the muscles above the waist nothing is known in the shoulder.
    legs_back_and_jaw = {i: m for i, m in kb.muscles.items() if m.region in LEGS_BACK_AND_JAW}
    matcher = Matcher(Knowledge(vocabulary=kb.vocabulary, muscles=legs_back_and_jaw, danger_zones=kb.danger_zones))
    assert matcher.rank(understand.features("my shoulder hurts")).status is Status.out_of_region
    assert rank("my shoulder hurts").status is Status.generic_area


@pytest.mark.parametrize(
    "text, area, tool",
    [
        ("my fingers tingle", "fingers", None),
        ("my thumb aches", "thumb_area", None),
        ("I only have my fingers", None, "thumb"),
        ("I can use my thumbs and a tennis ball", None, "thumb"),
    ],
)
def test_fingers_and_thumbs_are_a_place_or_a_tool_by_their_words(text: str, area: str | None, tool: str | None) -> None:
    areas = set(understand.features(text).areas)
    have, _ = default_extractor().tool_mentions(understand.read(text))
    assert areas == ({area} if area else set())
    assert (tool in have) if tool else ("thumb" not in have)


def test_ranking_is_deterministic() -> None:
    features = understand.features("pain in my butt that goes down the outside of my leg")
    assert default_matcher().rank(features) == default_matcher().rank(features)


def test_features_round_trip_through_a_slot() -> None:
    features = understand.features("left outer thigh burns when running")
    assert Features.from_dict(features.to_dict()).to_dict() == features.to_dict()
    assert features.side == "left"


@pytest.mark.parametrize("name", ["dev.yml", "wholebody_lower_dev.yml", "wholebody_upper_dev.yml"])
def test_engine_meets_the_accuracy_bar_on_the_dev_set(name: str) -> None:
    figures = score(load_cases(DATA / name), engine_runner(), with_intents=False).figures()
    assert figures["top3"] >= 0.95
    assert figures["red_flag_recall"] in (1.0, None)  # None: a set with no red flag in it
    assert figures["red_flag_false_alarm_rate"] <= 0.05


def test_dev_set_covers_every_muscle_four_times() -> None:
    from collections import Counter

    from assistant.knowledge.loader import CANONICAL_MUSCLES

    cases = load_cases(DATA / "dev.yml") + load_cases(DATA / "heldout.yml")
    counts = Counter(m for c in cases for m in c.get("expect_any", [])[:1])
    first_28 = CANONICAL_MUSCLES[: CANONICAL_MUSCLES.index("medial_pterygoid") + 1]
    assert all(counts[m] >= 4 for m in first_28), counts
    assert sum(1 for c in cases if c.get("red_flag") is True) >= 40
    assert sum(1 for c in cases if c.get("red_flag") is False) >= 40
    assert len(cases) >= 200


@pytest.mark.parametrize(
    "text, tool",
    [("I only have my fingers", "thumb"), ("I can use my hands", "hands"), ("with my thumb", "thumb")],
)
def test_a_hand_offered_as_a_tool_is_a_tool(text: str, tool: str) -> None:
    features = understand.features(text)
    assert tool in features.tools and not features.areas


@pytest.mark.parametrize("text, area", [("my fingers tingle", "fingers"), ("pins and needles in my hand", "hand")])
def test_a_hand_in_a_complaint_is_a_place(text: str, area: str) -> None:
    features = understand.features(text)
    assert area in features.areas and not features.tools


WHOLE_BODY_SETS = ("wholebody_upper_dev.yml", "wholebody_upper_heldout.yml", "wholebody_lower_dev.yml", "wholebody_lower_heldout.yml")


def test_whole_body_cases_cover_every_new_muscle_six_times() -> None:
    from collections import Counter

    from assistant.knowledge.loader import CANONICAL_MUSCLES

    cases = [c for name in WHOLE_BODY_SETS for c in load_cases(DATA / name)]
    counts = Counter(c["expect_any"][0] for c in cases if c.get("expect_any"))
    new = CANONICAL_MUSCLES[CANONICAL_MUSCLES.index("medial_pterygoid") + 1 :]
    assert len(new) == 38 and all(counts[m] >= 6 for m in new), {m: counts[m] for m in new if counts[m] < 6}


@pytest.mark.parametrize(
    "text, group",
    [
        ("my hamstrings are tight and sore after running", "hamstrings"),
        ("my quads are killing me", "quadriceps"),
        ("adductors ache after training", "adductors"),
        ("my glutes ache", "gluteals"),
        ("hammies are tight", "hamstrings"),
        ("sore jaw muscles", "chewing_muscles"),
    ],
)
def test_a_nickname_ranks_the_muscles_of_its_group(text: str, group: str) -> None:
    result = rank(text)
    assert result.status is Status.ok and not result.ambiguous
    assert set(top(text)) <= set(default_matcher().kb.group_members[group])


def test_a_named_muscle_outranks_its_group() -> None:
    assert top("my quads hurt, mostly the VMO", 1) == ["vastus_medialis"]


def test_a_nickname_with_a_place_or_a_detail_needs_no_question() -> None:
    assert rank("my quads hurt on the outside of my thigh").parts == ()
    assert rank("my quads burn when I go down stairs").parts == ()
    assert top("my quads hurt on the outside of my thigh", 1) == ["vastus_lateralis"]


def test_a_nickname_spanning_several_places_asks_which() -> None:
    result = rank("my quads are killing me")
    assert result.group_name == "quads"
    assert {"front_of_thigh", "outside_of_thigh"} <= set(result.parts)
    # Every member's place is offered, not only the top three's.
    assert len(result.parts) == len({default_matcher().kb.muscles[m].referral[0].area for m in default_matcher().kb.group_members["quadriceps"]})


@pytest.mark.parametrize(
    "text, expected",
    [
        ("trochanteric bursitis, and the injection did nothing", {"gluteus_medius", "gluteus_minimus", "tensor_fasciae_latae"}),
        ("the physio says I have SI joint dysfunction", {"gluteus_medius", "gluteus_maximus", "quadratus_lumborum", "piriformis"}),
        ("the chiropractor thinks it's my SI joint", {"gluteus_medius", "gluteus_maximus", "quadratus_lumborum", "piriformis"}),
        ("diagnosed with piriformis syndrome", {"piriformis"}),
        ("patellofemoral pain syndrome", {"vastus_medialis", "rectus_femoris", "vastus_intermedius"}),
        ("iliotibial band syndrome", {"tensor_fasciae_latae", "vastus_lateralis", "gluteus_minimus"}),
    ],
)
def test_a_diagnosis_alone_ranks_without_a_question(text: str, expected: set) -> None:
    result = rank(text)
    assert result.status is Status.ok and not result.ambiguous
    assert expected & set(top(text))


def test_swallowing_points_to_the_jaw() -> None:
    assert top("it hurts to swallow on one side", 1) == ["medial_pterygoid"]
    assert set(top("I can only open my mouth two fingers wide")) <= {"masseter", "temporalis", "lateral_pterygoid", "medial_pterygoid"}


def test_pain_on_the_surface_points_to_the_long_thin_thigh_muscles() -> None:
    assert top("burning tingling just under the skin over the front of my thigh", 1) == ["sartorius"]
    assert top("hot superficial pain on my inner thigh", 1) == ["gracilis"]


def test_a_side_is_never_an_activity() -> None:
    for text in ("my left knee hurts", "pain on the left side of my jaw when I chew"):
        features = understand.features(text)
        assert features.side == "left"
        assert "lifting" not in features.activities
    assert default_extractor().lookup("activity", "left") is None


@pytest.mark.parametrize(
    "text, area",
    [
        ("My right thigh aches at the back", "back_of_thigh"),
        ("my leg aches at the back after a run", "back_of_thigh"),
        ("my knee hurts at the back when I straighten it", "back_of_knee"),
    ],
)
def test_at_the_back_after_a_place_is_the_back_of_that_place(text: str, area: str) -> None:
    assert set(understand.features(text).areas) == {area}
    assert set(top(text)) & {"biceps_femoris", "semitendinosus", "semimembranosus", "gastrocnemius"}


def test_the_back_on_its_own_stays_the_lower_back() -> None:
    assert set(understand.features("my knee hurts, and my back").areas) == {"knee", "lower_back"}
    assert "lower_back" in understand.features("pain in the back when I lift").areas


def test_entities_keep_the_words_typed_or_the_vocabulary_name() -> None:
    text = "I can't open my mouth wide"
    typed = default_extractor().from_entities([{"entity": "sensation", "value": "limited_motion", "start": 2, "end": 12}], text)
    assert typed.sensations == {"limited_motion": "can't open"}
    button = default_extractor().from_entities([{"entity": "sensation", "value": "limited_motion"}])
    assert button.sensations == {"limited_motion": "limited movement"}
    nickname = default_extractor().from_entities([{"entity": "muscle", "value": "quads"}])
    assert nickname.groups == {"quadriceps": "quads"}


def test_fingers_used_as_a_ruler_are_not_the_place_that_hurts() -> None:
    assert "fingers" not in understand.features("I can only open my mouth two fingers wide").areas
    assert "fingers" in understand.features("two of my fingers go numb").areas


def test_a_symptom_phrase_about_another_place_does_not_count() -> None:
    # "Top of my foot aches" shares words with the message, not the place.
    assert set(top("the top of my shoulder aches where my bag strap sits")) <= {
        "upper_trapezius", "levator_scapulae", "middle_trapezius", "lower_trapezius", "supraspinatus", "deltoid"}


@pytest.mark.parametrize(
    "value, found",
    [
        ("groin muscles", ("groups", "adductors")),
        ("groin muscle", ("muscle", "adductor_longus")),
        ("Calf Muscles", ("groups", "calf")),
        ("calf muscle", ("muscle", "gastrocnemius")),
        ("chewing muscles", ("groups", "chewing_muscles")),
    ],
)
def test_an_entity_spelled_as_the_vocabulary_spells_it_keeps_its_number(value: str, found: tuple) -> None:
    """The stems of "groin muscles" and "groin muscle" are the same; the
    vocabulary's exact phrase tells the group from the one muscle."""
    assert default_extractor().lookup("muscle", value) == found
