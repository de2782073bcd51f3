"""Red-flag triage: urgent signs caught in any wording, look-alikes left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.safety import RULES, ages, default_triager, says_not_that
from assistant.textmatch import fold
from assistant.understand import read, triage

RED_FLAGS = [
    ("numbness in my groin and my back hurts", "cauda_equina"),
    ("my glutes are tight and I've been wetting myself", "cauda_equina"),
    ("i lost control of my bladder this morning", "cauda_equina"),
    ("my calf is hot red and swollen", "clot"),
    ("crushing chest pain when I walk", "heart"),
    ("jaw pain and my left arm aches and I'm sweating", "heart"),
    ("fever and chills with this lower back pain", "infection"),
    ("fell off a ladder and now I can't put weight on my leg", "fracture"),
    ("my foot slaps the floor, foot drop since yesterday", "nerve_weakness"),
    ("lost a lot of weight without trying and the pain wakes me at night", "serious_illness"),
    ("my face is drooping and my speech is slurred", "stroke"),
    ("this pain makes me want to kill myself", "self_harm"),
]
BENIGN = [
    "no numbness in my groin, just a tight inner thigh",
    "I fell asleep on the couch and now my hip hurts",
    "chest day at the gym made my glutes sore",
    "my calf is tight after running, not swollen",
    "no fever, just a stiff lower back",
    "not after a fall, it came on slowly",
    "I want to lose weight to take load off my knees",
    "slurring my speech is one of the jaw relaxation tips I read",
    "this thigh pain is killing me",
    "bladder is fine, only my butt aches",
]


@pytest.mark.parametrize("text, rule", RED_FLAGS)
def test_red_flags_are_caught_with_a_reason(text: str, rule: str) -> None:
    result = triage(text)
    assert result.flagged and result.rule_id == rule
    assert result.reason and result.advice


@pytest.mark.parametrize("text", BENIGN)
def test_look_alikes_and_negations_are_not_flagged(text: str) -> None:
    assert not triage(text).flagged


def test_typos_and_voice_style_still_flag() -> None:
    assert triage("um so i cant controll my bladdr and my back is killing me").flagged


def test_empty_and_huge_input_are_safe() -> None:
    assert not triage("").flagged
    assert not triage("hip " * 50_000).flagged


def test_someone_elses_history_is_not_the_users_red_flag() -> None:
    assert not triage("My dad had a blood clot after surgery; my calf is just tight from running").flagged
    assert triage("my wife says half my face looks droopy").flagged


def test_context_words_excuse_only_their_own_look_alike() -> None:
    assert not triage("the ice pack made my knee pale and cold for a bit").flagged
    assert triage("my foot is cold and pale and I can't feel a pulse").flagged
    assert not triage("losing weight on purpose with a diet, glutes still tight").flagged
    assert triage("lost weight without trying and my back aches at night").flagged
    assert triage("jaw massage tips please, also I'm slurring my words all of a sudden and my face droops").flagged


# One message per red-flag category of the guidelines, worded for these tests
# (the evaluation sets in tests/data/eval/redflags_*.yml measure the rest).
GUIDELINE_RED_FLAGS = [
    # No weight at all on the leg, whether or not a fall was mentioned (or heard).
    ("I can't put any weight on my leg", "fracture"),
    ("my hip has got so bad I can't stand on my leg at all", "fracture"),
    ("can't put any weight on it, though it's a bit better than yesterday", "fracture"),
    ("a thunderclap ache at the back of my head", "stroke"),
    ("my right calf has puffed up for no reason", "clot"),
    ("36 weeks pregnant and the back of my knee and calf ache on one side", "clot"),
    ("got back from a 12 hour flight and my thigh is sore", "clot"),
    ("my ankle came up hot and red this morning and nothing happened to it", "hot_joint"),
    ("I'm 71 and my jaw starts aching halfway through chewing my dinner", "giant_cell_arteritis"),
    ("seventy-three, and brushing my hair hurts my scalp", "giant_cell_arteritis"),
    ("over 60 and I've got a new headache at my temple", "giant_cell_arteritis"),
    ("my jaw aches when I climb hills and it stops when I rest", "heart"),
    ("my left shoulder aches walking uphill and goes when I stop", "heart"),
    ("I've had myeloma and now my lower back is aching", "serious_illness"),
    ("I'm on prednisolone long term and my back started hurting", "serious_spine"),
    ("I'm 64 and I've never had back pain before but now it won't settle", "serious_spine"),
    ("my back pain is constant and it wakes me every night", "serious_spine"),
    ("since the car accident yesterday my back and neck hurt", "trauma"),
    ("fell off the roof onto my back and it's sore", "trauma"),
    ("mum's 84, she tripped and her leg looks shorter and turned out", "fracture"),
    ("sciatica down both legs since Monday", "cauda_equina"),
    ("my back went and now I can't get an erection", "cauda_equina"),
    ("a lump in my groin pops out when I cough and hurts", "groin_lump"),
    ("my left testicle is swollen and sore", "testicle"),
    ("my period is two weeks late and I have pain low down on the right", "ectopic"),
    ("felt a pop at the back of my ankle and I can't stand on tiptoe now", "achilles"),
    ("my 7 year old is limping and won't say why", "child"),
    ("our toddler keeps crying about her hip", "child"),
    ("a sudden tearing pain right through to my back", "aorta"),
    ("there's a throbbing lump in my tummy", "aorta"),
]
GUIDELINE_LOOK_ALIKES = [
    "it hurts to put weight on my leg first thing",
    "I couldn't put any weight on it last year but it's fine now",
    "I can't stand for long at all without my back aching",
    "my foot went numb after sitting cross-legged",
    "my calves feel tight after a long run",
    "my child's knee hurts after football",
    "my kids wear me out and my back aches from carrying them",
    "I'm 35 and my jaw is sore from clenching",
    "I'm 58 and I've had the same low back ache for years after gardening",
    "my quads burn when I walk uphill",
    "long drive yesterday and my lower back is stiff",
    "my thighs are stiff after a long flight",
    "my knee is warm after my run",
    "my testicles itch",
    "my stomach muscles throb after sit ups",
    "I had a DVT ten years ago, all fine since, now my glutes ache",
    "I'm pregnant and my lower back aches when I stand",
    "rolled my ankle, it's slightly swollen but I can walk fine",
    "it's not that, it's just a bit of pee when I sneeze",
]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I'm 72 and sore", [72]),
        ("seventy-year-old here", [70]),
        ("over 60 and stiff", [60]),
        ("I'm in my seventies", [70]),
        ("sixty-five, throbbing temple", [65]),
        ("aged 77", [77]),
        ("my mum is 80", [80]),
        ("I'm 6 weeks pregnant", []),
        ("the pain is 8 out of 10", []),
        ("I sit 10 hrs a day", []),
    ],
)
def test_ages_are_read_from_numbers_and_words(text: str, expected: list) -> None:
    assert [age for age, _ in ages(fold(text))] == expected


def test_a_button_payload_is_not_the_persons_words() -> None:
    assert not triage('/affirm{"ordinal": "1"}').flagged
    assert triage("affirm, I had cancer").flagged


def test_its_not_that_is_read_as_a_correction() -> None:
    assert says_not_that("it's not that, it's just a bit of pee when I sneeze")
    assert says_not_that("no, it's just my hamstring")
    assert not says_not_that("that is exactly it")


def test_a_phrase_can_serve_two_concepts() -> None:
    # "jaw" counts for the heart (with effort) and for the temple arteries (over 50, chewing).
    assert triage("jaw ache on the stairs that goes when I rest").rule_id == "heart"
    assert triage("I'm 70 and my jaw aches when I chew").rule_id == "giant_cell_arteritis"


def test_stopwords_do_not_shrink_a_phrase_into_one_common_word() -> None:
    # "like an elephant" would fold to "elephant", "been checked" to "check".
    assert not triage("purple elephants").flagged
    assert triage("can you check this lump in my groin, it pops out when I cough").rule_id == "groin_lump"


# --- the whole body ------------------------------------------------------------

WHOLE_BODY_RED_FLAGS = [
    ("my left arm gets heavy when I walk the dog uphill", "heart"),
    ("a crushing feeling in my shoulder blades with a cold sweat", "heart"),
    ("my neck and jaw ache and I feel sick and clammy", "heart"),
    ("my mouth is drooping on one side and my words are jumbled", "stroke"),
    ("my arm suddenly went weak and floppy", "stroke"),
    ("a headache out of nowhere at the back of my neck, like being kicked in the head", "neck_artery"),
    ("worst headache of my life while lifting weights", "neck_artery"),
    ("since my neck was manipulated I'm dizzy and seeing double", "neck_artery"),
    ("one droopy eyelid and a sore side of my neck", "neck_artery"),
    ("stiff neck and a fever since this morning", "meningitis"),
    ("spots that don't fade under a glass and a headache", "meningitis"),
    ("I've got a temperature, a bad headache and the light hurts my eyes", "meningitis"),
    ("rear-ended yesterday, now neck pain and my fingers are numb", "neck_injury"),
    ("dove into the pool and hit the bottom, my neck hurts", "neck_injury"),
    ("I keep dropping things and I'm unsteady on my feet", "myelopathy"),
    ("electric shocks down my spine when I look down", "myelopathy"),
    ("rheumatoid arthritis and my hands have gone numb", "myelopathy"),
    ("my arm is in plaster and my fingers have gone numb", "compartment"),
    ("the cast is too tight and my toes are swelling", "compartment"),
    ("got kicked in the shin, it's rock hard and the pain is way worse than it should be", "compartment"),
    ("my shoulder is hot and swollen and I didn't hurt it", "hot_joint"),
    ("my wrist went red and puffy overnight", "hot_joint"),
    ("my whole arm has puffed up since yesterday", "arm_clot"),
    ("my hand has gone cold and pale", "circulation"),
    ("my fingers turned blue and cold and they're numb", "circulation"),
    ("two of my toes went white this morning and I can't get them warm", "circulation"),
    ("a sudden ripping pain between my shoulder blades", "aorta"),
    ("sudden agony between my shoulder blades out of nowhere", "aorta"),
    ("pain under my ribs and I keep throwing up", "upper_belly"),
    ("my eyes are yellow and my belly hurts", "upper_belly"),
    ("I'm short of breath and it hurts when I take a deep breath", "lung_clot"),
    ("coughing up blood and my back aches", "lung_clot"),
    ("breathless since my operation last week", "lung_clot"),
    ("there's a lump in my armpit the size of a grape", "armpit_lump"),
]
WHOLE_BODY_LOOK_ALIKES = [
    "my hamstrings won't warm up before a run and feel tight",
    "my fingers go white in the cold and come back once I'm inside",
    "my neck is stiff from looking at my laptop",
    "my arm is sore from my vaccine yesterday",
    "shin splints from the new running plan",
    "my traps are tight after shrugs",
    "my forearm aches after a day of typing",
    "my upper back is stiff after a long drive",
    "I get a tension headache when I'm stressed",
    "my hands are cold, it's winter",
    "my elbow aches after tennis",
    "my legs feel wobbly after a long run",
    "I had a cold last week and my neck is stiff from sleeping badly",
    "I lost pounds on my diet and my knees feel better",
    "a knot under my shoulder blade that aches when I sit",
    "no fever, just a stiff neck from the draught",
    "my armpit is sore after shaving",
    "my foot arch aches after standing all day",
    "I twisted my back and it feels tense",
    "my neck muscles feel tense after a knock at rugby",
    "my upper arm is swollen from the tetanus shot",
    "my shoulders are red from the sun",
]


# --- the second clinical review (docs/safety.md H56-H69) -------------------------

REVIEW_RED_FLAGS = [
    ("I walked into a lamp post and hit my head, now I keep throwing up", "head_injury"),
    ("banged my head on the car boot on Sunday and the headache hasn't let up since", "head_injury"),
    ("my headache gets much worse every time I cough", "headache_pressure"),
    ("I wake up with a headache most days and I've been sick in the mornings", "headache_pressure"),
    ("my eye is sore and red and I see halos round the lamps", "red_eye"),
    ("a lump under my jaw that has been growing for weeks", "neck_lump"),
    ("my food gets stuck when I swallow", "swallow_voice"),
    ("I've been hoarse for a month now", "swallow_voice"),
    ("I'm 71 and my shoulders and hips are stiff every morning", "polymyalgia"),
    ("there's a lump in my breast I hadn't noticed before", "breast"),
    ("there's some discharge from my nipple", "breast"),
    ("a burning band round my ribs and now a rash of blisters", "shingles"),
    ("the pain began at my belly button and now it's low on the right", "appendix"),
    ("my tummy is rigid and sore all over", "appendix"),
    ("I'm 57 and bloated nearly every day", "bloating"),
    ("a lump at my belly button that hurts", "navel_lump"),
    ("pain in my flank that comes in waves", "kidney"),
    ("my lower back aches and it burns when I pee", "kidney"),
    ("I'm 25, my back has hurt for months and it wakes me in the early hours", "inflammatory_back"),
    ("my knee has locked and I can't straighten it", "locked_knee"),
    ("I'm on prednisolone and my groin aches when I walk", "hip_bone"),
    ("a heavy drinker with a sore hip", "hip_bone"),
    ("my hip hurts so much I can't walk", "fracture"),
    ("all my muscles ache since I started statins", "statin_muscles"),
    ("my thighs ache and my pee is brown", "muscle_breakdown"),
    ("I'm 35, my scalp is tender and my jaw aches when I chew", "giant_cell_arteritis"),
    ("my back hurts and both feet are going numb", "cauda_equina"),
    ("I fell on the ice and my shoulder looks squared off with a lump at the front", "dislocation"),
    ("I keep dropping things and my hand feels numb", "myelopathy"),
]
REVIEW_LOOK_ALIKES = [
    "I bumped my head on the cupboard, no headache, no sickness, my neck muscles are fine",
    "my headache is worse when I bend over with this cold",
    "my eyes are red and itchy from hay fever",
    "a knot in my neck muscle for weeks",
    "swollen glands in my neck since my cold started two days ago",
    "it hurts a little to swallow with a sore throat",
    "I'm 65 and my hip is stiff every morning",
    "my pecs are sore after bench press",
    "a blister on my toe from new boots",
    "my abs are sore low on the right after crunches",
    "I'm 30 and bloated before my period",
    "my belly button piercing is sore",
    "a stitch in my side that comes in waves when I run",
    "I'm 28 and my back is stiff this morning after moving house",
    "I lock my knees out when I stand and my hamstrings ache",
    "my kneecap sticks when I straighten after sitting",
    "I had a steroid injection in my hip last month and it's tight after cycling",
    "I can't walk far before my calf cramps",
    "my pee is dark yellow, I haven't drunk enough, and my calves ache",
    "I've been on statins for years and my glutes are tight from sitting",
    "sore scalp from a tight ponytail",
    "my feet go numb in the cold and my back is stiff",
    "my shoulder clicks when I lift weights",
    "I dropped a weight on my foot and my toe hurts",
]


@pytest.mark.parametrize("text, rule", GUIDELINE_RED_FLAGS + WHOLE_BODY_RED_FLAGS + REVIEW_RED_FLAGS)
def test_guideline_red_flags_in_lay_words(text: str, rule: str) -> None:
    result = triage(text)
    assert result.flagged and result.rule_id == rule, result


@pytest.mark.parametrize("text", GUIDELINE_LOOK_ALIKES + WHOLE_BODY_LOOK_ALIKES + REVIEW_LOOK_ALIKES)
def test_guideline_look_alikes_are_left_alone(text: str) -> None:
    assert not triage(text).flagged, triage(text)


def test_every_rule_has_a_reason_and_what_to_do() -> None:
    for rule in RULES:
        assert rule.reason and not rule.reason.endswith(".") and rule.reason[0].islower(), rule.id
        assert rule.advice.startswith("Please"), rule.id


def test_a_longer_phrase_keeps_the_meaning_of_the_words_inside_it() -> None:
    # "stiff neck" is a stiff neck and names the neck, so neck pain with sweating is the heart rule's.
    assert "neck_area" in default_triager().concepts(read("a stiff neck")).own
    assert triage("stiff neck and I'm sweating and clammy").rule_id == "heart"
    # ...but a look-alike keeps swallowing its words, and a plain phrase means only itself.
    assert "injury" not in default_triager().concepts(read("I fell asleep on the sofa")).own
    assert "pulsing" not in default_triager().concepts(read("I lost pounds")).own


def test_everyday_words_are_not_bent_into_alarm_words() -> None:
    # Typo tolerance must not hear "testicle" in texting, which arms and thumbs ache from.
    assert not triage("my thumb aches from texting all day").flagged
    assert triage("i was texting and now my testicle is swollen and very painful").flagged


def test_one_sides_arm_and_leg_going_numb_is_a_stroke_sign_even_on_waking() -> None:
    assert triage("woke up this morning and my right arm and leg are numb").rule_id == "stroke"
    assert not triage("my left leg goes numb when I sit cross legged").flagged


@pytest.mark.parametrize(
    "text",
    [
        "no lump in my breast, just a sore pec",
        "I hit my head but I have no headache and I haven't been sick",
        "my knee doesn't lock, it just aches on the stairs",
        "no halos, my eyes are just tired",
        "it doesn't burn when I pee, my back is just stiff",
    ],
)
def test_second_review_denied_signs_are_not_flagged(text: str) -> None:
    assert not triage(text).flagged, triage(text)


def test_second_review_red_flags_of_someone_else_are_addressed_to_them() -> None:
    result = triage("my husband banged his head and keeps being sick")
    assert result.flagged and result.rule_id == "head_injury" and result.person == "husband"
    result = triage("my mum has a lump in her breast")
    assert result.flagged and result.rule_id == "breast" and result.person == "mum"


def test_a_family_history_of_the_new_red_flags_is_not_the_persons_own() -> None:
    assert not triage("my mum had a kidney stone years ago, my lower back is tight").flagged
    assert not triage("my dad had shingles last year, my ribs ache after rowing").flagged


def test_ages_with_the_sex_are_read() -> None:
    assert [age for age, _ in ages(fold("62f, bloated most days"))] == [62]
    assert [age for age, _ in ages(fold("woman, 61, sore hips"))] == [61]
    assert ages(fold("50m swim and my shoulder aches")) == []


@pytest.mark.parametrize(
    "text, rule",
    [
        ("there's blood in my pee and my back aches", "blood_in_waste"),
        ("had a steroid injection in my knee on Monday and now it's hot and swollen", "after_procedure"),
        ("my leg has got weaker and weaker this week", "nerve_weakness"),
    ],
)
def test_the_older_rules_the_hazard_log_now_names(text: str, rule: str) -> None:
    assert triage(text).rule_id == rule


def test_every_rule_is_named_in_the_hazard_log() -> None:
    log = (Path(__file__).resolve().parents[1] / "docs" / "safety.md").read_text(encoding="utf-8")
    controls = [row.split(" | ")[3] for row in log.splitlines() if row.startswith("| H")]
    assert [rule.id for rule in RULES if not any(f"`{rule.id}`" in control for control in controls)] == []


def test_food_that_sticks_is_read_in_any_order_round_the_swallow() -> None:
    assert triage("when I swallow, meat gets stuck halfway").rule_id == "swallow_voice"
    assert not triage("stuck at my desk all day and my jaw clicks when I swallow").flagged


def test_an_ache_that_has_lasted_all_year_is_current() -> None:
    assert triage("I'm 26, my lower back has been stiff every morning for the past year, eases once I move and wakes me at 4am").rule_id == (
        "inflammatory_back"
    )
    assert not triage("I had a bad back last year and it's fine now").flagged
