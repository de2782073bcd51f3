"""Reply content follows the contract and picks methods for the person's tools."""

from __future__ import annotations

import pytest

from assistant import replies, understand
from assistant.features import default_extractor
from assistant.knowledge.loader import default_knowledge
from assistant.matching import default_matcher
from assistant.understand import triage

KB = default_knowledge()


def symptom_messages(text: str, tools=(), tried=(), disclaimer=True) -> list:
    features = understand.features(text)
    return replies.symptom_reply(KB, default_matcher().rank(features), features, list(tools), list(tried), disclaimer)


def test_symptom_reply_has_every_part_of_the_contract() -> None:
    messages = symptom_messages("my knee buckles going downstairs")
    custom = next(m["custom"] for m in messages if "custom" in m)
    assert custom["type"] == "muscle_suggestions" and custom["red_flag"] is False
    assert len(custom["muscles"]) == 3
    assert [m["score"] for m in custom["muscles"]] == sorted((m["score"] for m in custom["muscles"]), reverse=True)
    assert {"id", "name", "score", "why"} <= set(custom["muscles"][0])
    text = "\n".join(str(m.get("text", "")) for m in messages)
    assert "Releasing the Vastus medialis" in text
    assert "Also worth checking" in text
    assert replies.ROOT_CAUSE_REMINDER in text
    assert "not a diagnosis" in text
    assert any(b["payload"].startswith("/ask_more") for m in messages for b in m.get("buttons", []))


def test_disclaimer_only_when_asked() -> None:
    text = "\n".join(str(m.get("text", "")) for m in symptom_messages("my knee buckles", disclaimer=False))
    assert "not a diagnosis" not in text


def test_method_follows_the_tools_at_hand() -> None:
    gracilis = KB.muscles["gracilis"]
    release, note = replies.choose_method(KB, gracilis, ["kong_ball"], [])
    assert release.tool == "kong_ball" and note is None
    release, note = replies.choose_method(KB, KB.muscles["vastus_medialis"], ["tennis_ball"], [])
    assert release.tool == "lacrosse_ball" and "tennis ball" in note


@pytest.mark.parametrize("tool", ["barbell", "massage_gun"])
def test_a_tool_never_offered_is_explained_and_a_gentler_way_follows(tool: str) -> None:
    adductor = KB.muscles["adductor_longus"]
    assert replies.choose_method(KB, adductor, [tool], [])[0].tool != tool
    text = replies.release_message(KB, adductor, [tool], [])["text"]
    assert text.startswith(replies.NOT_SUGGESTED[tool]) and "Releasing the Adductor longus" in text


def test_every_tool_never_offered_has_its_reason() -> None:
    never = {t.id for t in KB.vocabulary.tools if not t.offered}
    assert never == set(replies.NOT_SUGGESTED)


def test_tried_methods_are_skipped() -> None:
    gracilis = KB.muscles["gracilis"]
    first = replies.choose_method(KB, gracilis, [], [])[0]
    second = replies.choose_method(KB, gracilis, [], [f"gracilis:{first.tool}"])[0]
    assert second.tool != first.tool


def test_running_out_of_methods_points_to_a_professional() -> None:
    muscle = KB.muscles["vastus_medialis"]
    tried = [f"vastus_medialis:{r.tool}" for r in muscle.release]
    assert "physiotherapist" in replies.release_message(KB, muscle, [], tried)["text"]


def test_red_flag_reply_has_no_release_tips() -> None:
    messages = replies.red_flag_reply(triage("numb groin and I wet myself"))
    text = "\n".join(str(m.get("text", "")) for m in messages)
    assert "emergency" in text and "Releasing" not in text
    assert {"type": "red_flag", "reason": triage("numb groin and I wet myself").reason} .items() <= messages[1]["custom"].items()


def test_clarifying_question_offers_area_buttons() -> None:
    message = replies.clarify_area(KB, None)
    assert len(message["buttons"]) >= 8
    knee = replies.clarify_area(KB, "knee")
    assert {b["title"] for b in knee["buttons"]} >= {"Inside of the knee", "Back of the knee"}
    leg = replies.clarify_area(KB, "leg")
    assert len(leg["buttons"]) >= 4


def test_the_out_of_region_reply_names_every_region_the_knowledge_base_covers() -> None:
    kb = default_knowledge()
    text = replies.out_of_region(kb)
    for region in {m.region for m in kb.muscles.values()}:
        assert replies.REGION_WORDS[region] in text
    assert "_" not in text


@pytest.mark.parametrize("tool", ["massage_stick", "back_hook"])
def test_a_stick_or_hook_never_stands_in_for_hands_near_a_danger_zone(tool: str) -> None:
    # The adductors' hand method works beside the femoral triangle; a stick there would press on the vessels.
    adductor = KB.muscles["adductor_longus"]
    hands = next(r for r in adductor.release if r.tool == "hands")
    assert KB.zones_touched(hands)
    assert "hands" in KB.vocabulary.tool_substitutes[tool]
    release, note = replies.choose_method(KB, adductor, [tool], [])
    assert release.tool in replies.ALWAYS_AT_HAND
    assert note is not None and "can do the job" not in note and "gentle hands" in note
    text = replies.release_message(KB, adductor, [tool], [])["text"]
    assert f"leave the {KB.term('tools', tool).name} out" in text


def test_a_stick_still_stands_in_for_hands_away_from_any_zone() -> None:
    def clear_of_zones(muscle) -> bool:
        hands = [r for r in muscle.release if r.tool == "hands" and r.presses_on]
        no_stick = all(r.tool not in ("massage_stick", "foam_roller") for r in muscle.release)
        return bool(hands) and no_stick and not KB.zones_touched(hands[0])

    muscle = next(m for m in KB.muscles.values() if clear_of_zones(m))
    chosen, note = replies.choose_method(KB, muscle, ["massage_stick"], [])
    assert chosen.tool == "hands" and "can do the job" in note


def test_the_heard_words_are_never_internal_ids() -> None:
    """A button's payload or a trained entity carries only an id: what is
    echoed back is the vocabulary's words for it."""
    kb = default_knowledge()
    entity_of = {"areas": "body_part", "conditions": "condition", "activities": "activity", "sensations": "sensation"}
    for kind, entity in entity_of.items():
        for term in getattr(kb.vocabulary, kind):
            features = default_extractor().from_entities([{"entity": entity, "value": term.id}])
            intro = replies.heard_intro(features)
            shown = intro[intro.index("(") + 1 : intro.index(")")] if "(" in intro else ""
            phrases = {p.lower() for p in [term.name, *term.synonyms]}
            assert shown.lower() in phrases | {""}, (kind, term.id, intro)
            assert "_" not in intro


def test_a_group_named_reads_as_the_persons_word() -> None:
    kb = default_knowledge()
    features = understand.features("my hammies are sore, right at the back of my thigh")
    best = default_matcher().rank(features).suggestions[0]
    assert "hammies" in replies.why_line(kb, best)
    assert replies.heard_intro(features).startswith("Going by what you told me (hammies")


def test_the_group_question_offers_each_place() -> None:
    kb = default_knowledge()
    result = default_matcher().rank(understand.features("my quads are killing me"))
    message = replies.clarify_group_part(kb, result)
    assert "your quads" in message["text"]
    assert [b["payload"] for b in message["buttons"]] == [replies.payload("describe_symptom", body_part=a) for a in result.parts]


def test_the_heard_words_say_each_thing_once() -> None:
    features = understand.features("when I wake up")
    features.add("sensations", "limited_motion", "can't open my mouth")
    features.add("areas", "jaw", "my mouth")
    assert replies.heard_intro(features) == "Going by what you told me (can't open my mouth, when i wake up), "
