"""Builds what the NLU needs from the knowledge base, offline.

- a blank English spaCy pipeline with an entity ruler of every KB phrase,
  saved to disk (nothing is downloaded);
- lookup tables for Rasa's training data (KB ids come from KnowledgeEntityResolver).

Run as ``python -m assistant.nlp.build [--check]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Dict, List, Tuple, cast

from assistant.knowledge.loader import Knowledge, KnowledgeError, load_knowledge
from assistant.sides import SIDE_WORDS

ROOT = Path(__file__).resolve().parents[2]
PIPELINE_DIR = ROOT / "build" / "spacy_pipeline"
LOOKUPS_FILE = ROOT / "data" / "nlu" / "lookups" / "knowledge_base.yml"

ENTITY_OF_KIND = {
    "areas": "body_part",
    "conditions": "condition",
    "activities": "activity",
    "sensations": "sensation",
    "tools": "tool",
}
# Too short or too common to tag as a side wherever they appear ("that's right").
UNTAGGED_SIDE_WORDS = {"l", "r", "right"}


def entity_phrases(kb: Knowledge) -> List[Tuple[str, str, str]]:
    """(entity type, surface phrase, KB id) for every phrase people may type."""
    rows: List[Tuple[str, str, str]] = []
    for kind, entity in ENTITY_OF_KIND.items():
        for term in getattr(kb.vocabulary, kind):
            rows += [(entity, phrase.lower(), term.id) for phrase in [term.name, *term.synonyms]]
    for muscle in kb.muscles.values():
        rows += [("muscle", phrase.lower(), muscle.id) for phrase in [muscle.name, *muscle.aliases]]
    # Nicknames are muscle entities too; the resolver maps them to their group.
    for group in kb.vocabulary.muscle_groups:
        rows += [("muscle", phrase.lower(), group.id) for phrase in [group.name, *group.synonyms]]
    for side, words in SIDE_WORDS.items():
        rows += [("side", word, side) for word in words if word not in UNTAGGED_SIDE_WORDS]
    return sorted(set(rows))


def lookups_document(kb: Knowledge) -> str:
    """Lookup tables only: Rasa's synonym lists would duplicate what
    KnowledgeEntityResolver already does (every entity value to its KB id,
    typos included), and at the same size again they cost a tenth of the
    training time in reading and fingerprinting."""
    lookups: Dict[str, List[str]] = {}
    for entity, phrase, _ in entity_phrases(kb):
        lookups.setdefault(entity, []).append(phrase)
    lines = ["# Generated from assistant/knowledge by `python -m assistant.nlp.build`; do not edit.", 'version: "3.1"', "nlu:"]
    for name, values in sorted(lookups.items()):
        lines += [f"  - lookup: {name}", "    examples: |"]
        lines += [f"      - {v}" for v in sorted(set(values))]
    return "\n".join(lines) + "\n"


def build_spacy_pipeline(kb: Knowledge, out_dir: Path) -> None:
    import spacy
    from spacy.pipeline import EntityRuler

    nlp = spacy.blank("en")
    # add_pipe is typed as returning any component; this name makes a ruler.
    ruler = cast(EntityRuler, nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True}))
    ruler.add_patterns([{"label": entity, "pattern": phrase, "id": ident} for entity, phrase, ident in entity_phrases(kb)])
    nlp.meta["name"] = "trigger_point_kb"
    nlp.meta["description"] = "Blank English pipeline with an entity ruler built from the knowledge base."
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out_dir)


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the generated lookups are out of date")
    args = parser.parse_args(argv)
    try:
        kb = load_knowledge()
    except KnowledgeError as err:
        print(f"Knowledge base error:\n{err}", file=sys.stderr)
        return 2
    document = lookups_document(kb)
    current = LOOKUPS_FILE.read_text(encoding="utf-8") if LOOKUPS_FILE.exists() else ""
    if args.check:
        if current != document:
            print(f"{LOOKUPS_FILE.relative_to(ROOT)} is out of date: run `python -m assistant.nlp.build`", file=sys.stderr)
            return 1
        return 0
    LOOKUPS_FILE.parent.mkdir(parents=True, exist_ok=True)
    if current != document:
        LOOKUPS_FILE.write_text(document, encoding="utf-8")
    build_spacy_pipeline(kb, PIPELINE_DIR)
    print(f"NLP pipeline built in {PIPELINE_DIR.relative_to(ROOT)}; lookups in {LOOKUPS_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
