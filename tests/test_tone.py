"""Every text the assistant can say stays 'likely' and never claims a diagnosis."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from assistant import replies, understand
from assistant.knowledge.loader import default_knowledge
from assistant.matching import Status, default_matcher
from assistant.tools.eval import load_cases

ROOT = Path(__file__).parents[1]

# Diagnosis claims, promises and advice against seeing a doctor.
BANNED = [
    r"\byou (have|definitely have|clearly have|'ve got) (a |an )?(torn|tear|herniat|sciatica|bursitis|arthritis|meniscus|disc|fracture)",
    r"\b(this|it|that) is (definitely|certainly|clearly|surely) (your|a|an|the)\b",
    r"\bi diagnose\b|\byour diagnosis is\b|\bdiagnosed with\b",
    r"\bguarantee",
    r"\bcures?\b|\bcured\b",
    r"\b100 ?%",
    r"\bmiracle",
    r"\bno need (to see|for) a (doctor|physio)",
    r"\bdon'?t (need|bother) (to see )?a doctor",
    r"\bnever fails\b|\balways works\b|\bwill fix\b",
]


def all_texts() -> list[tuple[str, str]]:
    kb = default_knowledge()
    texts = []
    for muscle in kb.muscles.values():
        texts += [(muscle.id, muscle.summary), *((muscle.id, s) for s in muscle.symptoms)]
        texts += [(muscle.id, step) for r in muscle.release for step in r.steps]
        texts += [(muscle.id, c.text) for c in muscle.cautions] + [(muscle.id, t.text) for t in muscle.traits]
        texts += [(muscle.id, c.text) for c in muscle.root_causes] + [(muscle.id, c.why) for c in muscle.check_also]
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    texts += [(name, v["text"]) for name, variants in domain["responses"].items() for v in variants]
    for case in load_cases(ROOT / "tests" / "data" / "eval" / "dev.yml")[:60]:
        features = understand.features(case["text"])
        result = default_matcher().rank(features)
        if result.status is Status.ok:
            for message in replies.symptom_reply(kb, result, features, [], [], True):
                texts.append((f"reply to {case['text']!r}", str(message.get("text") or "")))
    return texts


TEXTS = all_texts()


@pytest.mark.parametrize("pattern", BANNED)
def test_no_diagnosis_claims_or_promises(pattern: str) -> None:
    offenders = [(where, text) for where, text in TEXTS if re.search(pattern, text, re.IGNORECASE)]
    assert not offenders, offenders[:5]


def test_suggestions_are_worded_as_likely() -> None:
    features = understand.features("my knee buckles going down stairs")
    first = replies.symptom_reply(default_knowledge(), default_matcher().rank(features), features, [], [], True)[0]["text"]
    assert "most likely" in first and "worth checking" in first


def test_scan_really_covers_the_knowledge_base_and_templates() -> None:
    sources = {where for where, _ in TEXTS}
    assert "vastus_medialis" in sources and "utter_greet" in sources
    assert any(where.startswith("reply to") for where in sources)
