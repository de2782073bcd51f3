"""Red-flag triage of raw user text (pure Python, independent of intents).

Some pain is not a trigger point. When a message mentions signs that need a
doctor rather than a ball, the assistant answers with urgent advice only.
Each rule needs every one of its concept groups, un-negated, in the message;
look-alike phrases ("fell asleep", "chest day") are matched first so they
cannot be mistaken for their alarming neighbours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Set, Tuple

import yaml

from assistant.reading.reading import Reading
from assistant.reading.spelling import is_english
from assistant.textmatch import COMMON_WORDS, PhraseIndex, PhraseMatch, fold, phrase_stems

CONCEPTS_FILE = Path(__file__).with_name("safety_concepts.yml")


def load_concepts(path: Path = CONCEPTS_FILE) -> Dict[str, List[str]]:
    """Concept -> phrases, from the YAML file clinicians can review."""
    concepts = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(concepts, dict) or not all(isinstance(v, list) and v for v in concepts.values()):
        raise ValueError(f"{path.name}: expected a mapping of concept -> non-empty list of phrases")
    return {str(k): [str(p) for p in v] for k, v in concepts.items()}

EMERGENCY = "Please call your local emergency number (112 or 911) now, or go to an emergency department."
SAME_DAY = (
    "Please see a doctor today (your GP's same-day line, an urgent-care clinic, or the emergency department if it gets worse)."
)


@dataclass(frozen=True)
class Alternative:
    needs: FrozenSet[str]
    excluded_by: FrozenSet[str] = frozenset()

    def holds(self, concepts: FrozenSet[str]) -> bool:
        return self.needs <= concepts and not (self.excluded_by & concepts)


@dataclass(frozen=True)
class Rule:
    id: str
    reason: str
    advice: str
    any_of: Tuple[Alternative, ...]


def _alternative(spec: str) -> Alternative:
    """ "a+b-c": concepts a and b present, c absent."""
    needs, *excluded = spec.split("-")
    return Alternative(frozenset(needs.split("+")), frozenset(excluded))


def _rule(ident: str, reason: str, advice: str, alternatives: Iterable[str]) -> Rule:
    return Rule(ident, reason, advice, tuple(_alternative(a) for a in alternatives))


SOON = SAME_DAY.replace("today", "soon, within a few days")

RULES: Tuple[Rule, ...] = (
    _rule(
        "self_harm",
        "you mentioned wanting to hurt yourself or not wanting to live",
        EMERGENCY
        + " If you are in danger of acting on it, call now; a crisis line (988 in the US, 116 123 in the UK and much of Europe) will talk with you any time.",
        ["self_harm"],
    ),
    _rule(
        "cauda_equina",
        "numbness around the groin or saddle area, changes in bladder, bowel or sexual function, or sciatica in both legs, "
        "can mean pressure on the nerves at the base of the spine",
        EMERGENCY + " This needs to be checked within hours, not days.",
        [
            "saddle_numbness",
            "numb+saddle_area-benign_sitting",
            "incontinence-benign_stress_leak",
            "erection_problem+back_area",
            "erection_problem+sciatica_word",
            "sciatica_word+both_legs",
            # Weak legs on both sides (NICE CKS Sciatica: bilateral neurological deficit).
            "weakness+both_legs",
            # Back pain with both feet going numb (GIRFT suspected cauda equina pathway, 2023: bilateral symptoms).
            "back_area+numb+both_feet-cold_weather-benign_sitting-long_ago-resolved",
        ],
    ),
    _rule("blood_in_waste", "blood in your urine or stool needs a doctor to look for the cause", SAME_DAY, ["blood_in_waste"]),
    _rule(
        "aorta",
        "a tearing or ripping pain in the back, chest or belly, a sudden severe pain between the shoulder blades, or a pulsing feeling or "
        "lump in the belly, can come from the body's main artery (a tear or an aneurysm)",
        EMERGENCY + " Please don't press on your belly or back.",
        [
            "tearing+back_area",
            "tearing+belly",
            "tearing+chest",
            "pulsing+belly",
            "pulsing+lump",
            "interscapular+abrupt+severe-lifting-injury",
            "interscapular+abrupt+faint",
        ],
    ),
    _rule(
        "lung_clot",
        "breathlessness with pain on breathing in, coughing up blood, or breathlessness with a painful calf or after an operation, "
        "a long journey, a pregnancy or a leg in a cast can be a blood clot in the lung",
        EMERGENCY,
        [
            "breathless+pleuritic",
            "breathless+racing_heart",
            "cough_blood",
            "breathless+dvt_risk-long_ago-resolved",
            "pleuritic+dvt_risk-long_ago-resolved",
            "breathless+calf_thigh-bilateral",
        ],
    ),
    _rule(
        "heart",
        "chest pain, pressure or breathlessness, or pain in the jaw, neck, arm, shoulder or upper back that comes on with effort "
        "or with sweating, nausea or breathlessness, can come from the heart",
        EMERGENCY + " If the pain comes only with effort and has already passed, please still see a doctor today.",
        [
            "chest",
            "jaw_area+arm_words",
            "jaw_area+cardiac_companion",
            "cardiac_site+cardiac_companion",
            "jaw_area+exertion",
            "cardiac_site+exertion",
            "cardiac_site+pressure_feel",
        ],
    ),
    _rule(
        "neck_injury",
        "after a fall, a blow to the head, a dive or an accident, neck pain, or numbness, tingling or weakness in the arms, can mean "
        "an injury to the spine in the neck",
        EMERGENCY + " Keep your head and neck still until you have been checked.",
        [
            "head_blow+neck_area-long_ago-resolved",
            "injury+neck_area+numb-long_ago-resolved",
            "injury+neck_area+weakness-long_ago-resolved",
            "fall_heavy+neck_area-long_ago-resolved",
        ],
    ),
    _rule(
        "head_injury",
        "a headache that won't go, being sick, or feeling very drowsy after a knock to the head can mean bleeding or swelling inside the head",
        EMERGENCY + " Please don't stay on your own until you have been checked.",
        # NICE NG232 Head injury (2023): vomiting or a persisting headache since the injury.
        ["head_blow+vomiting_word-long_ago-resolved", "head_blow+headache-long_ago-resolved-improving", "head_blow+drowsy-long_ago-resolved"],
    ),
    _rule(
        "neck_artery",
        "a sudden, severe headache or neck pain, the worst you have had, a drooping eyelid with neck pain, or dizziness or double "
        "vision after your neck was cracked or when you turn your head, can come from a bleed or a tear in an artery of the neck or brain",
        EMERGENCY + " Please keep your neck still and don't let anyone manipulate it.",
        [
            "neck_area+headache+abrupt",
            "headache+worst_ever",
            "neck_area+worst_ever",
            "horner",
            "neck_manipulation+dizzy",
            "neck_manipulation+vision_change",
            "neck_manipulation+headache+abrupt",
            "head_turn+dizzy+vision_change",
            "head_turn+dizzy+stroke",
        ],
    ),
    _rule(
        "red_eye",
        "a red, painful eye with haloes (rainbow rings) round lights can be a sudden rise of pressure in the eye (acute glaucoma), which "
        "can take the sight within hours",
        "Please go to an eye emergency department (eye casualty) or an emergency department now.",
        # NICE CKS Red eye and Glaucoma: suspected acute angle-closure glaucoma is an immediate referral.
        ["eye_area+haloes+hurting", "eye_area+haloes+hot_red"],
    ),
    _rule(
        "stroke",
        "a drooping face, slurred speech, sudden weakness or numbness down one side, sudden changes in your eyesight or a sudden "
        "severe headache can be a stroke or another emergency",
        EMERGENCY,
        # Slurring on purpose is a jaw-relaxation tip, not a symptom.
        [
            "stroke",
            "arm_wont_lift-benign_shoulder_limit",
            "vision_change-benign_screen",
            "headache+sudden",
            "slurred_speech-not_instruction",
            "weakness+abrupt+arm_words",
            "dizzy+abrupt+unsteady_walk",
            # One side's arm and leg together, sudden or not: people wake up with a stroke.
            "one_side_arm_and_leg+numb",
            "one_side_arm_and_leg+weakness",
            "one_side_arm_and_leg+hand_clumsy",
        ],
    ),
    _rule(
        "meningitis",
        "a stiff or painful neck with a fever, a headache with a fever and light hurting your eyes, or a rash that doesn't fade "
        "when you press a glass on it, can be meningitis",
        EMERGENCY + " Don't wait for a rash to appear.",
        [
            "stiff_neck+fever-resolved",
            "neck_area+fever-resolved-lump",
            "rash_nonblanching",
            "headache+fever+light_hurts-resolved",
            "stiff_neck+light_hurts",
            "headache+stiff_neck+vomiting_word",
            "fever+drowsy-resolved",
        ],
    ),
    _rule(
        "headache_pressure",
        "a headache that gets worse when you cough, strain or bend, or that is there when you wake and comes with being sick, "
        "needs a doctor to rule out raised pressure inside the head",
        SAME_DAY + " If you also feel drowsy or confused, or your eyesight changes, go to an emergency department now.",
        # NICE CKS Headache - assessment: red flags of raised intracranial pressure.
        ["headache+strain_worse-cold_illness", "headache+on_waking+vomiting_word-benign_bug"],
    ),
    _rule(
        "myelopathy",
        "clumsy hands, numbness in both hands or an unsteady walk, especially with neck pain, can mean the spinal cord in the neck is "
        "being squeezed",
        SAME_DAY + " If it is getting worse quickly, or your bladder or bowels change, go to an emergency department.",
        [
            "hand_clumsy+unsteady_walk",
            # Dropping things with numb hands (NICE CKS Neck pain: myelopathy; also a squeezed nerve at the wrist with weakness).
            "hand_clumsy+numb",
            "hand_clumsy+neck_area",
            "both_hands+numb+unsteady_walk",
            "both_hands+numb+neck_area",
            "lhermitte",
            "upper_neck_risk+numb",
            "upper_neck_risk+unsteady_walk",
            "upper_neck_risk+dizzy",
        ],
    ),
    _rule(
        "testicle",
        "a painful or swollen testicle can be a twisted testicle (torsion), which has to be treated within hours",
        EMERGENCY,
        ["testicle+hurting", "testicle+swollen"],
    ),
    _rule(
        "ectopic",
        "pain low in the belly on one side with a late period or a possible pregnancy can be a pregnancy outside the womb (ectopic pregnancy)",
        "Please get seen today: call your GP, your early pregnancy unit or a medical helpline now, and go to an emergency "
        "department if the pain is severe or you feel faint or dizzy.",
        [
            "period_late+lower_belly",
            "period_late+one_sided",
            "period_late+shoulder_tip",
            "early_pregnancy+lower_belly",
            "early_pregnancy+one_sided",
            "early_pregnancy+shoulder_tip",
        ],
    ),
    _rule(
        "appendix",
        "pain that starts around the belly button and moves low down on the right, pain low on the right with being sick, or a "
        "belly that is hard as a board, can be appendicitis or an inflamed lining of the belly",
        EMERGENCY + " Please don't press on your belly, and don't eat until you have been seen.",
        # NHS Appendicitis (a belly gone hard, pain spreading: emergency); WSES Jerusalem guidelines (Di Saverio et al. 2020).
        [
            "navel_site+lower_right-benign_belly_muscles",
            "lower_right+vomiting_word-benign_bug-benign_belly_muscles",
            "belly+board_hard-benign_belly_muscles",
        ],
    ),
    _rule(
        "compartment",
        "pain far worse than the injury should cause, a tense, hard or shiny swollen shin, calf or forearm, or a cast that feels too "
        "tight with numbness, swelling or pale fingers or toes, can mean pressure building up inside the muscle (compartment syndrome)",
        EMERGENCY + " If you have a cast, go to the emergency department or the fracture clinic now; don't wait for it to settle.",
        [
            "cast_word+numb-cast_removed",
            "cast_word+too_tight-cast_removed",
            "cast_word+much_worse-cast_removed",
            "cast_word+pale_word-cast_removed",
            "cast_word+swollen-improving-cast_removed",
            "crush+swollen",
            "crush+much_worse",
            "crush+out_of_proportion",
            "injury+tense_limb+compartment_site",
            "injury+out_of_proportion+compartment_site",
            "out_of_proportion+swollen+compartment_site",
            "tense_limb+swollen+compartment_site",
        ],
    ),
    _rule(
        "dislocation",
        "after a fall or a blow, a shoulder that looks squared off with a lump at the front, or a joint that has come out of place, "
        "can be dislocated",
        "Please go to an emergency department now. Keep the arm still against your body and don't try to put the joint back yourself.",
        # NICE CKS Shoulder pain: trauma with deformity (suspected dislocation) needs emergency assessment.
        ["shoulder_word+shoulder_out+injury-long_ago-resolved", "dislocated-long_ago-resolved-already_checked"],
    ),
    _rule(
        "clot",
        "one swollen calf or thigh, or calf or thigh pain after pregnancy, a cast, bed rest, an operation or a long journey, "
        "can be a blood clot (deep vein thrombosis)",
        SAME_DAY + " If you also feel short of breath or have chest pain, call your emergency number.",
        [
            "clot-long_ago-resolved",
            "lower_limb+swollen+hot_red",
            "lower_limb+swollen+long_travel-bilateral",
            "calf_thigh+swollen-bilateral-injury-improving",
            "dvt_risk+calf_thigh-bilateral-long_ago-resolved-improving",
            "operation+calf_thigh-bilateral-long_ago-resolved-improving",
        ],
    ),
    _rule(
        "arm_clot",
        "an arm that swells up without an injury, especially after a drip or a line in the arm or heavy arm work, or with bluish "
        "skin or bulging veins over the shoulder, can be a blood clot in the arm",
        SAME_DAY + " If you also feel short of breath or have chest pain, call your emergency number.",
        [
            "arm_limb+swollen-injury-improving-benign_sting-already_checked",
            "arm_limb+vein_bulge",
        ],
    ),
    _rule(
        "circulation",
        "a cold, pale or blue arm, hand, leg or foot can mean the blood supply is blocked",
        EMERGENCY,
        [
            "cold_limb-cold_therapy",
            "cold_feel+pale_word+extremity-cold_weather-cold_therapy-cold_illness-resolved",
            "cold_feel+numb+abrupt+extremity-cold_weather-cold_therapy-cold_illness",
            "no_pulse",
        ],
    ),
    _rule(
        "achilles",
        "a pop or a kick felt at the back of the ankle, then weakness pushing off or standing on tiptoe, can be a torn Achilles tendon",
        SAME_DAY + " Keep your weight off it until then.",
        ["achilles_site+snap-long_ago-resolved", "no_tiptoe"],
    ),
    _rule(
        "child",
        "a child who limps, won't bear weight, or has hip, thigh or knee pain without a clear injury needs the hip checked "
        "(an infection or a slipped growth plate can feel like a sore muscle)",
        SAME_DAY + " If they have a fever or can't put any weight on the leg, go to an emergency department today.",
        ["child+limp-own_body", "child+cant_bear_weight", "child+child_site-sport-injury-own_body"],
    ),
    _rule(
        "giant_cell_arteritis",
        "new pain in the jaw when chewing, a tender scalp or a new headache at the temple, above all over 50, can be giant cell arteritis, "
        "an inflammation of the arteries that can damage eyesight",
        SAME_DAY + " If your eyesight blurs, doubles or goes dark, go to an emergency department now.",
        # A tender scalp with jaw pain on chewing whatever the age given (BSR guideline on giant cell arteritis, 2020).
        ["over_50+jaw_area+chewing", "over_50+scalp_tender", "over_50+temple", "over_50+new_headache", "scalp_tender+jaw_area", "scalp_tender+chewing"],
    ),
    _rule(
        "after_procedure",
        "pain that gets much worse, or a red, hot or swollen area, after an injection or surgery needs checking",
        SAME_DAY + " Call the team that did the procedure if you can.",
        ["procedure+much_worse", "procedure+worsening", "procedure+hot_red", "procedure+swollen", "procedure+fever"],
    ),
    _rule(
        "hot_joint",
        "a hot, red or swollen joint without an injury can be an infected joint or gout, and an infected joint needs treatment within hours",
        SAME_DAY + " With a fever or if you feel unwell, go to an emergency department.",
        ["joint+hot_red-injury-sport-benign_heat-cold_therapy-benign_skin_mark", "joint+swollen-injury-sport-improving-bilateral-already_checked"],
    ),
    _rule(
        "muscle_breakdown",
        "dark brown or cola-coloured urine with aching or weak muscles can mean muscle is breaking down, which can harm the kidneys",
        SAME_DAY + " If you are passing very little urine or feel very unwell, go to an emergency department now.",
        # MHRA Drug Safety Update on statins and the BNF: muscle pain with dark urine (rhabdomyolysis) needs urgent assessment.
        [
            "dark_urine+hurting-benign_dark_yellow",
            "dark_urine+weakness-benign_dark_yellow",
            "dark_urine+statin-benign_dark_yellow",
            "dark_urine+aches_all_over-benign_dark_yellow",
        ],
    ),
    _rule(
        "shingles",
        "a burning or stinging strip of pain on one side of the body, then a rash of blisters, can be shingles, and its medicine works "
        "best started within three days of the rash",
        SAME_DAY + " If the rash is near your eye, say so when you call: that needs to be seen straight away.",
        # NICE CKS Shingles: antivirals within 72 hours of the rash; eye involvement is a same-day referral.
        [
            "band_pain+blisters-benign_skin_mark",
            "shingles_word+hurting-benign_sting-long_ago-resolved",
            "shingles_word+blisters-benign_sting-long_ago-resolved",
        ],
    ),
    _rule(
        "kidney",
        "pain in the side that comes in waves and spreads to the groin can be a kidney stone, and back pain with burning when you pee "
        "can be a kidney infection",
        SAME_DAY + " With a fever, shivering or being sick, go to an emergency department now.",
        # NICE NG118 Renal and ureteric stones (2019); NICE CKS Pyelonephritis - acute and NICE NG111.
        [
            "in_waves+loin-benign_stitch",
            "in_waves+back_area+saddle_area-benign_stitch",
            "kidney_stone+hurting-long_ago-resolved",
            "burning_pee+back_area",
            "burning_pee+loin",
        ],
    ),
    _rule(
        "locked_knee",
        "a knee that locks and cannot be straightened can mean a torn cartilage or a loose piece caught in the joint",
        SAME_DAY + " Please don't force it straight.",
        # NICE CKS Knee pain - assessment: a locked knee needs urgent orthopaedic assessment.
        [
            "knee_locked-benign_lockout-benign_kneecap-long_ago-resolved",
            "knee_word+cant_straighten-benign_kneecap-partial_range-benign_sitting-long_ago-resolved",
        ],
    ),
    _rule(
        "navel_lump",
        "a painful lump at the belly button, or one that won't push back in, can be a trapped hernia",
        SAME_DAY + " If it is hard, very tender, won't go back in, or you are being sick, go to an emergency department now.",
        # NHS Umbilical hernia: a hernia that is painful, firm or cannot be pushed back needs urgent care.
        [
            "navel_site+lump+hurting-already_checked",
            "navel_site+lump+irreducible-already_checked",
            "navel_site+swollen+hurting-already_checked-benign_piercing",
        ],
    ),
    _rule(
        "upper_belly",
        "pain in the upper belly with vomiting, vomiting blood or something like coffee grounds, or yellowing of the skin or eyes, "
        "can come from the gallbladder, the pancreas or a bleeding ulcer",
        SAME_DAY
        + " If the pain is severe or constant, you are vomiting blood, your skin or eyes turn yellow, or you feel sweaty or "
        "breathless, call your emergency number.",
        ["upper_belly_site+vomiting_word-benign_bug", "vomit_blood", "jaundice", "belly+vomiting_word+severe-benign_bug"],
    ),
    _rule(
        "armpit_lump",
        "a new lump or swelling in the armpit should be checked by a doctor: most are a harmless swollen gland, but some need tests",
        SOON + " If it is red, hot and painful, or you have a fever, see one today.",
        [
            "armpit_site+lump-already_checked-long_ago-resolved-benign_shave",
            "armpit_site+swollen-already_checked-injury-benign_shave",
        ],
    ),
    _rule(
        "infection",
        "fever or chills together with pain can mean an infection (in the spine, a joint, a kidney or a tooth)",
        SAME_DAY,
        ["fever-resolved", "face_swelling"],
    ),
    _rule(
        "fracture",
        "not being able to walk or put any weight on the leg, or after a fall or accident swelling or a misshapen limb, can mean a "
        "fracture, a torn ligament or an infected joint",
        SAME_DAY + " If the leg looks misshapen or the pain is severe, go to the emergency department.",
        [
            "injury+cant_bear_weight",
            "no_weight_at_all-long_ago-resolved",
            # Not walking, injury or not (NICE CKS Hip pain in adults: unable to weight-bear).
            "cant_walk-long_ago-resolved-improving-benign_doms",
            "injury+swollen-improving-long_ago-can_walk-mild",
            "injury+misshapen",
            "deformity",
        ],
    ),
    _rule(
        "trauma",
        "after a road accident, a fall from a height or onto your back, or a fall in later life, pain can come from an injury "
        "to the spine or a bone that needs checking before any massage",
        SAME_DAY + " With numbness, weakness or severe pain, or if you can't move normally, call your emergency number and keep still.",
        [
            "road_accident-long_ago-resolved-benign_accident",
            "fall_heavy-long_ago-resolved",
            "over_65+injury+hip_area",
            "over_65+injury+saddle_area",
        ],
    ),
    _rule(
        "nerve_weakness",
        "sudden or worsening weakness, a foot that drops or drags, or numbness in both legs can mean a nerve is being squeezed",
        SAME_DAY + " If it came on suddenly, call your emergency number.",
        ["foot_drop", "weakness+sudden", "weakness+worsening", "numb+both_legs"],
    ),
    _rule(
        "groin_lump",
        "a lump or bulge in the groin is often a hernia, which a doctor should check; one that is hard, very painful or won't go back in is urgent",
        SOON + " If it is hard, very painful or won't push back in, or you are being sick, go to an emergency department now.",
        ["lump+saddle_area-already_checked-long_ago-resolved"],
    ),
    _rule(
        "neck_lump",
        "a lump in the neck that has lasted three weeks or more, or keeps growing, should be checked by a doctor: most are harmless "
        "glands, but some need tests",
        SOON,
        # NICE NG12 Suspected cancer (head and neck: a persistent unexplained neck lump).
        [
            "lump+neck_area+lasting-already_checked-cold_illness-muscle_knot",
            "lump+lump_neck_site+lasting-already_checked-cold_illness-muscle_knot",
        ],
    ),
    _rule(
        "swallow_voice",
        "food sticking when you swallow, or a hoarse voice for three weeks or more, should be checked by a doctor",
        SOON + " If you can't swallow liquids or your own spit, go to an emergency department now.",
        # NICE NG12: dysphagia (urgent endoscopy) and persistent hoarseness (laryngeal cancer pathway).
        ["swallow_trouble-cold_illness", "stuck_word+swallow_word-cold_illness", "hoarse+lasting-cold_illness"],
    ),
    _rule(
        "polymyalgia",
        "over 50, stiffness and aching in both shoulders and hips every morning can be polymyalgia rheumatica, which needs a doctor's "
        "treatment",
        SOON + " If you also have a new headache, a tender scalp, jaw pain when chewing or changes in your eyesight, see one today.",
        # NICE CKS Polymyalgia rheumatica; BSR guideline on polymyalgia rheumatica (Dejaco et al. 2015).
        ["over_50+shoulders_and_hips+morning_stiff"],
    ),
    _rule(
        "breast",
        "a new lump in the breast, a nipple that turns in, bleeds or leaks, or puckered skin on the breast should be checked by a doctor",
        SOON,
        # NICE NG12: breast lump, nipple retraction or discharge, skin changes.
        [
            "breast_word+lump-already_checked-long_ago-resolved",
            "nipple_change-already_checked",
            "breast_word+skin_dimple-already_checked",
        ],
    ),
    _rule(
        "bloating",
        "feeling bloated most days for weeks after 50, or after the menopause, should be checked by a doctor: in women it can come "
        "from the ovaries",
        SOON,
        # NICE NG12 and CG122 Ovarian cancer: persistent bloating in women aged 50 and over.
        ["bloating+most_days+over_50", "bloating+most_days+menopause_past", "bloating+lasting+over_50"],
    ),
    _rule(
        "inflammatory_back",
        "back pain for months that is stiff every morning, eases with moving and wakes you in the small hours, especially when it "
        "began before 45, can be an inflammatory arthritis of the spine",
        SOON,
        # NICE NG65 Spondyloarthritis (2017): low back pain from before 45, over 3 months, with inflammatory features.
        [
            "back_area+morning_stiff+eases_moving+small_hours",
            "back_area+months_long+morning_stiff+eases_moving+under_45",
            "back_area+months_long+small_hours+under_45",
            "back_area+months_long+small_hours+eases_moving",
        ],
    ),
    _rule(
        "hip_bone",
        "hip or groin pain when you take steroid tablets or drink heavily can come from the bone of the hip losing its blood supply",
        SOON,
        # NICE CKS Hip pain in adults: osteonecrosis with long-term corticosteroids or alcohol excess.
        ["hip_area+steroid_use-long_ago-resolved", "hip_area+heavy_drinking"],
    ),
    _rule(
        "statin_muscles",
        "aching or weak muscles since starting a statin (a cholesterol medicine) should be checked by the doctor who prescribed it",
        SOON + " Please don't stop the medicine before you have asked them; if your urine turns dark, see one today.",
        # NICE NG238 Cardiovascular disease: risk assessment and reduction (statins and muscle symptoms); NICE CKS Lipid modification.
        ["statin+aches_all_over", "statin+started_recently+hurting", "statin+weakness"],
    ),
    _rule(
        "serious_spine",
        "back pain with a history of cancer, long-term steroids, thin bones, injected drugs or a weak immune system, pain that "
        "never eases even at night, or a first back pain after 50, should be checked by a doctor before self-treatment",
        SOON,
        [
            "back_area+spine_risk-long_ago-resolved",
            "back_area+night+unrelenting",
            "back_area+day_and_night",
            "over_50+first_back",
            "over_50+back_area+first_time",
        ],
    ),
    _rule(
        "serious_illness",
        "unexplained weight loss or a history of cancer together with new pain should be checked by a doctor",
        SOON,
        ["weight_loss-intentional", "cancer", "cancer_history+hurting"],
    ),
)


@dataclass(frozen=True)
class Triage:
    flagged: bool
    rule_id: str | None = None
    reason: str | None = None
    advice: str | None = None
    person: str | None = None  # whom the advice is for, when not the writer ("wife")
    check: str | None = None  # a rule worth one yes/no question (not flagged)
    heard: str | None = None  # the words asked about or doubted, for that question


@dataclass(frozen=True)
class Concepts:
    own: FrozenSet[str]  # the writer's, stated as fact
    other: FrozenSet[str]  # someone else's
    possible: FrozenSet[str]  # the writer's, asked about or doubted
    heard: Tuple[str, ...] = ()  # the words of those


# A history that stays a risk however long ago it was; a cancer long treated
# counts as a history, which matters with new pain.
LASTING = frozenset({"cancer", "spine_risk", "upper_neck_risk"})
HISTORY_OF = {"cancer": "cancer_history"}


# A button's payload ("/affirm", "/describe_symptom{...}") carries no words of the person's.
_PAYLOAD = re.compile(r"^/[a-z_]+(\{.*\})?$", re.DOTALL)


# --- ages, children and early pregnancy, read from numbers and words --------

_UNITS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
_ONES = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19,
}
_NUMBER = (
    r"(\d{1,3}|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ]?(?:one|two|three|four|five|six|seven|eight|nine))?"
    r"|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
)
# What follows a number that is not an age ("I'm 6 weeks pregnant", "pain is 8 out of 10").
_NOT_AGE_AFTER = re.compile(
    r"\s*(?:weeks?|wks?|months?|days?|hours?|hrs?|mins?|minutes?|kg|kilos?|lbs?|pounds?|stones?|km|miles?|times|metres?|meters?|"
    r"feet|foot|ft|cm|%|/|out of|percent|am\b|pm\b|th\b|st\b|nd\b|rd\b|x\b)"
)
_AGE_PATTERNS = (
    re.compile(r"\b(?:i'?m|i am|im|aged?|age of|turned|turning)\s+" + _NUMBER + r"\b"),
    re.compile(r"\b" + _NUMBER + r"\s*(?:-|\s)?(?:years?|yrs?|yr)\s*(?:-|\s)?old\b"),
    re.compile(r"\b" + _NUMBER + r"\s*(?:yo|y/o|y\.o)\b"),
    re.compile(r"\bover\s+" + _NUMBER + r"\b"),
    re.compile(r"^\W*" + _NUMBER + r"\s*(?:,|\band\b|\bhere\b|\bm\b|\bf\b|\bmale\b|\bfemale\b)"),
    # "62F, ..." and "woman, 61": how people give their age and sex in one go.
    re.compile(r"^\W*([2-9]\d)\s?(?:f|m)\s*[,.;:]"),
    re.compile(r"\b(?:woman|man|female|male|lady|guy)\s*,?\s*(?:aged\s+)?([1-9]\d)\b"),
    re.compile(r"\b(?:mum|mom|mother|dad|father|son|daughter|husband|wife|partner|he|she|kid|child|boy|girl|gran\w*)(?:'s|\s+is|\s+was)\s+" + _NUMBER + r"\b"),
)
_DECADE_AGES = {"fifties": 50, "sixties": 60, "seventies": 70, "eighties": 80, "nineties": 90}
_DECADES = re.compile(r"\bin (my|his|her|their) (?:early |mid |late |mid-)?(fifties|sixties|seventies|eighties|nineties)\b")
_OTHERS_AGE = len(_AGE_PATTERNS) - 1  # the last pattern reads another person's age
_CHILD_WORD = re.compile(
    r"\b(?:my|our)\s+(?:(?:little|young|youngest|eldest|oldest)\s+)?"
    r"(son|daughter|kid|kids|child|children|toddler|boy|girl|teenager|teen|baby|little one|grandson|granddaughter|"
    r"\d{1,2}\s*(?:-|\s)?(?:years?|yrs?|yr)?\s*(?:-|\s)?(?:old|yo|y/o))\b"
)
_BOTH_LIMBS = re.compile(r"\b(?:thighs|calves|legs|shins|ankles|knees|feet)\b")
_EARLY_PREGNANCY = re.compile(r"\b([1-9]|1[0-2])\s*(?:weeks?|wks?)\s*(?:pregnant|gone)\b")


def _number(word: str) -> int:
    if word.isdigit():
        return int(word)
    parts = re.split(r"[- ]", word)
    if parts[0] in _UNITS:
        return _UNITS[parts[0]] + (_ONES.get(parts[1], 0) if len(parts) > 1 else 0)
    return _ONES.get(word) or _TEENS.get(word, 0)


def ages(folded: str) -> List[Tuple[int, bool]]:
    """Every age the text states, each with whether it is someone else's
    ("my mum is 70") rather than the writer's ("I'm 68")."""
    found = []
    for number, pattern in enumerate(_AGE_PATTERNS):
        for m in pattern.finditer(folded):
            if not _NOT_AGE_AFTER.match(folded, m.end()):
                age = _number(m.group(1))
                if 0 < age < 115:
                    found.append((age, number == _OTHERS_AGE or folded[: m.start()].endswith(("my ", "our "))))
    found += [(_DECADE_AGES[m.group(2)], m.group(1) != "my") for m in _DECADES.finditer(folded)]
    return found


def _is_child(folded: str, stated: List[int]) -> bool:
    if any(age < 16 for age in stated):
        return True
    for m in _CHILD_WORD.finditer(folded):
        word = m.group(1)
        if word == "baby" and re.search(r"\b(had|have|having|gave birth to|delivered)\s+(?:my|our)\s+$", folded[: m.start()] + ""):
            continue  # "had my baby": the writer gave birth
        if word == "baby" and re.search(r"\b(had|have|having)\s+$", folded[max(0, m.start() - 8) : m.start()]):
            continue
        age_after = re.match(r"\s*(?:'s|is|was|,|\()?\s*" + _NUMBER + r"\b", folded[m.end() :])
        if age_after and _number(age_after.group(1)) >= 16:
            continue  # "my daughter is 30": a grown-up
        return True
    return False


def derived_concepts(folded: str, concepts: FrozenSet[str], others_named: bool) -> Tuple[FrozenSet[str], FrozenSet[str]]:
    """Concepts read from numbers and sentence shape rather than phrases: the
    writer's, and those of the person they write about. A child named ("my
    son") is that person; when no finding was tied to anyone else, what the
    message tells is taken to be the child's too, so no limp goes unheard."""
    stated = ages(folded)
    own_ages = [age for age, someone_else in stated if not someone_else]
    other_ages = [age for age, someone_else in stated if someone_else]
    own: Set[str] = set()
    other: Set[str] = set()
    if any(age >= 50 for age in own_ages) or "over_50_words" in concepts:
        own.add("over_50")
    if any(age >= 65 for age in own_ages) or "over_50_words" in concepts:
        own.add("over_65")
    other |= {name for name, low in (("over_50", 50), ("over_65", 65)) if any(age >= low for age in other_ages)}
    if any(age < 16 for age in own_ages):
        own.add("child")
    if _is_child(folded, other_ages):
        (other if others_named else own).add("child")
    if _EARLY_PREGNANCY.search(folded) or "preg_possible" in concepts:
        own.add("early_pregnancy")
    if concepts & {"fall_heavy", "road_accident"}:
        own.add("injury")  # a heavy fall or a crash is an injury too
    both = [m.group(0) for m in _BOTH_LIMBS.finditer(folded) if not folded[: m.start()].endswith(("one of my ", "one of the "))]
    if both:
        own.add("bilateral")  # the stems cannot tell "thighs" from "thigh"
        other.add("bilateral")
    if "feet" in both:
        own.add("both_feet")
    if any(16 <= age < 45 for age in own_ages):
        own.add("under_45")  # inflammatory back pain begins before 45 (NICE NG65)
    return frozenset(own), frozenset(other)


DERIVED = frozenset(
    {"over_50", "over_65", "under_45", "child", "early_pregnancy", "bilateral", "both_feet", "injury", *HISTORY_OF.values()}
)
# Known words, so a typo is never bent from "child" into "chills".
# Everyday words near alarming ones ("playing" is no typo of "plane").
EVERYDAY_WORDS = ("play", "plays", "played", "playing", "kneel", "kneeling", "lead", "itch", "itchy", "itches", "chilly", "text", "texts", "texting", "texted")
CHILD_WORDS = ("child", "children", "childs", "kid", "kids", "son", "daughter", "toddler", "teen", "teenager", "baby", "grandson", "granddaughter")

# "It's not that, it's just...": the person says the urgent reply misread them.
_NOT_THAT = re.compile(
    r"\b(?:it'?s|it is|its|that'?s|that is|thats) not (?:that|it|what i (?:meant|mean))\b|^\W*not that\b|\bnot that at all\b|"
    r"\byou misread\b|\bmisunderstood\b|\bnone of (?:those|that|them)\b|\bnothing like that\b|\bno,? (?:it'?s|its) (?:just|only)\b"
)


def says_not_that(text: str) -> bool:
    return bool(_NOT_THAT.search(fold(text or "")))


def absorbers(concepts: Dict[str, List[str]]) -> FrozenSet[str]:
    """Concepts that exist to swallow a look-alike ("fell asleep") or to rule a
    rule out ("years ago"): the benign_* ones and those only ever excluded."""
    needed = {c for rule in RULES for alternative in rule.any_of for c in alternative.needs}
    return frozenset(c for c in concepts if c.startswith("benign_") or c not in needed)


def _inner_phrases(words: Tuple[str, ...]) -> Iterable[str]:
    """Every shorter run of words inside a phrase."""
    n = len(words)
    return (" ".join(words[i:j]) for i in range(n) for j in range(i + 1, n + 1) if j - i < n)


def _with_inner_meanings(grouped: Dict[str, set], absorbing: FrozenSet[str]) -> Dict[str, FrozenSet[str]]:
    """A longer phrase also means what the phrases inside it mean ("a stiff
    neck" names the neck, "vomiting blood" is vomiting), because the index
    keeps only the longest match; a look-alike keeps absorbing its words."""
    meanings: Dict[str, FrozenSet[str]] = {}
    for key, owners in grouped.items():
        inherited = set(owners)
        if not owners & absorbing:
            for inner in _inner_phrases(tuple(key.split())):
                inherited |= grouped.get(inner, set()) - absorbing
        meanings[key] = frozenset(inherited)
    return meanings


class Triager:
    def __init__(self, concepts: Dict[str, List[str]], extra_words: Iterable[str] = ()):
        needed = {c for rule in RULES for alternative in rule.any_of for c in alternative.needs | alternative.excluded_by}
        missing = needed - set(concepts) - DERIVED
        if missing:
            raise ValueError(f"safety concepts missing: {sorted(missing)}")
        # One phrase may serve several concepts ("jaw" for the heart and for
        # the arteries of the temple): index it once, expand it on a match.
        self.concepts_of: Dict[str, FrozenSet[str]] = {}
        grouped: Dict[str, set] = {}
        spelled: Dict[str, str] = {}
        for concept, phrases in concepts.items():
            for phrase in phrases:
                key = " ".join(phrase_stems(phrase))
                grouped.setdefault(key, set()).add(concept)
                spelled.setdefault(key, phrase)
        self.absorbing = absorbers(concepts)
        self.concepts_of = _with_inner_meanings(grouped, self.absorbing)
        entries = [(spelled[key], "concept", key) for key in grouped]
        self.index = PhraseIndex(
            entries, extra_words=[*extra_words, *sorted(COMMON_WORDS), *CHILD_WORDS, *EVERYDAY_WORDS, "fewer"], is_word=is_english
        )

    def find(self, text: str) -> List[PhraseMatch]:
        """The alarm and look-alike phrases in a message (for the reading)."""
        return self.index.find(text)

    def concepts(self, reading: Reading) -> Concepts:
        """The concepts a message asserts, sorted by whose they are and how
        sure: denied ones are dropped, past ones too unless they stay a risk
        (a cancer history); look-alikes and time words count as they stand."""
        context: Set[str] = set()  # look-alikes and time words: whoever they are about
        own: Set[str] = set()
        other: Set[str] = set()
        possible: Set[str] = set()
        heard: List[str] = []
        for finding in reading.of("safety"):
            meanings = self.concepts_of[finding.id]
            a = finding.assertion
            if a.negated:
                continue  # "without dieting" is no diet, "no numbness" no numbness
            context |= meanings & self.absorbing
            meanings -= self.absorbing
            if (a.other and a.past) or (a.past and not meanings & LASTING):
                continue  # a family history, or over and done with
            if a.past:
                own |= {HISTORY_OF.get(c, c) for c in meanings & LASTING}
            elif a.hypothetical or a.uncertain:
                possible |= meanings
                heard.append(finding.words)
            elif a.other and not a.own:
                other |= meanings
            else:
                own |= meanings
        own |= context
        derived_own, derived_other = derived_concepts(reading.folded, frozenset(own), bool(reading.others))
        others = other | context | derived_other if reading.others else frozenset()
        return Concepts(frozenset(own) | derived_own, frozenset(others), frozenset(possible), tuple(heard))

    def judge(self, reading: Reading) -> Triage:
        """The first rule the person's own signs meet; else one that someone
        else's meet (the advice is addressed to them); else a rule that an
        asked-about or doubtful sign would complete, to ask about once."""
        text = reading.text
        if not text or not text.strip() or _PAYLOAD.match(text.strip()):
            return Triage(False)
        concepts = self.concepts(reading)
        rule = _first_rule(concepts.own)
        if rule:
            return Triage(True, rule.id, rule.reason, rule.advice)
        rule = _first_rule(concepts.other)
        if rule:
            person = reading.others[0] if reading.others else "they"
            return Triage(True, rule.id, rule.reason, rule.advice, person=person)
        rule = _first_rule(concepts.own | concepts.possible) if concepts.possible else None
        if rule is None or self._signs_denied(reading, rule):
            return Triage(False)
        return Triage(False, check=rule.id, heard=", ".join(concepts.heard))

    def _signs_denied(self, reading: Reading, rule: Rule) -> bool:
        """Has the person already denied the signs a question would ask
        about ("could it be a clot? it's not swollen or warm")?"""
        signs = {c for alternative in rule.any_of for c in alternative.needs}
        denied = (self.concepts_of[f.id] for f in reading.of("safety") if f.denied)
        return any(meanings & signs for meanings in denied)


def _first_rule(concepts: FrozenSet[str]) -> Rule | None:
    return next((rule for rule in RULES if any(alternative.holds(concepts) for alternative in rule.any_of)), None)


@lru_cache(maxsize=1)
def default_triager() -> Triager:
    from assistant.features import default_extractor

    # Domain words are known, so a typo is never bent into an alarming word.
    return Triager(load_concepts(), extra_words=default_extractor().index.known)
