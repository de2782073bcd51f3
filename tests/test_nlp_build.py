"""The spaCy pipeline and lookup tables are built from the knowledge base."""

from __future__ import annotations

from pathlib import Path

import spacy

from assistant.knowledge.loader import default_knowledge
from assistant.nlp import build
from assistant.nlp.model import inputs_hash, model_is_readable, training_inputs


def test_lookup_tables_are_in_sync_with_the_knowledge_base() -> None:
    assert build.main(["--check"]) == 0, "run `python -m assistant.nlp.build` and commit the lookups"


def test_every_alias_is_in_the_lookups() -> None:
    document = build.lookups_document(default_knowledge())
    for muscle in default_knowledge().muscles.values():
        for alias in muscle.aliases:
            assert f"- {alias.lower()}\n" in document


def test_spacy_pipeline_is_saved_with_meta_and_finds_kb_phrases(tmp_path: Path) -> None:
    build.build_spacy_pipeline(default_knowledge(), tmp_path)
    assert (tmp_path / "meta.json").exists()
    doc = spacy.load(tmp_path)("The outer thigh burns and my TFL is tight")
    found = {(e.label_, e.text.lower(), e.ent_id_) for e in doc.ents}
    assert ("body_part", "outer thigh", "outside_of_thigh") in found
    assert ("muscle", "tfl", "tensor_fasciae_latae") in found


def test_model_hash_changes_with_training_inputs(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "config.yml").write_text("a")
    (tmp_path / "data" / "nlu.yml").write_text("b")
    before = inputs_hash(training_inputs(tmp_path), tmp_path)
    (tmp_path / "data" / "nlu.yml").write_text("c")
    assert inputs_hash(training_inputs(tmp_path), tmp_path) != before


def test_a_corrupt_model_archive_is_detected(tmp_path: Path) -> None:
    corrupt = tmp_path / "model.tar.gz"
    corrupt.write_bytes(b"not a tarball")
    assert not model_is_readable(corrupt)


def test_nicknames_are_muscle_entities_mapped_to_their_group() -> None:
    kb = default_knowledge()
    rows = build.entity_phrases(kb)
    for group in kb.vocabulary.muscle_groups:
        assert ("muscle", group.name.lower(), group.id) in rows
    assert ("muscle", "hammies", "hamstrings") in rows
    doc = spacy.blank("en")
    ruler = doc.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns([{"label": e, "pattern": p, "id": i} for e, p, i in rows])
    found = {(e.label_, e.ent_id_) for e in doc("my Quads and my hammies ache").ents}
    assert {("muscle", "quadriceps"), ("muscle", "hamstrings")} <= found
