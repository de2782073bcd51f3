"""Builds the recogniser's domain language model and dictionary at setup.

- corpus.txt: the normalised sentences (see corpus.py), with typed
  spellings that sound exactly like a dictionary word spelled as that word;
- domain.lm: an ARPA trigram model of them (pocketsphinx's own builder);
- domain.dict: CMUdict pronunciations of every corpus word, and generated
  ones (espeak-ng IPA mapped to ARPAbet) for the words CMUdict lacks.

Run as ``python -m assistant.voice.build [--check]``; --check fails when the
built files no longer match the NLU data, knowledge base or red-flag phrases.
"""

from __future__ import annotations

import argparse
import io
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Set

from pocketsphinx import get_model_path
from pocketsphinx.lm import ArpaBoLM

from assistant.knowledge.loader import Knowledge, default_knowledge
from assistant.voice.corpus import corpus_sentences, vocabulary
from assistant.voice.pronounce import generated_pronunciations

ROOT = Path(__file__).resolve().parents[2]
VOICE_DIR = ROOT / "build" / "voice"
CORPUS_FILE = VOICE_DIR / "corpus.txt"
LM_FILE = VOICE_DIR / "domain.lm"
DICT_FILE = VOICE_DIR / "domain.dict"


def cmudict(path: Path | None = None) -> Dict[str, List[str]]:
    """word -> its pronunciations (phones as one string), variants included."""
    entries: Dict[str, List[str]] = {}
    for line in (path or Path(get_model_path("en-us/cmudict-en-us.dict"))).read_text(encoding="utf-8").splitlines():
        word, _, phones = line.partition(" ")
        if phones:
            entries.setdefault(word.split("(")[0], []).append(phones.strip())
    return entries


def homophone_spellings(generated: Dict[str, List[str]], known: Dict[str, List[str]], used: Set[str]) -> Dict[str, str]:
    """Typed spellings that sound exactly like a dictionary word the corpus
    also uses ("dont" -> "don't", "kne" -> "knee") -> that word. To a
    recogniser they are one word; two spellings of one sound only split its
    counts and put typos in transcripts."""
    by_sound: Dict[str, str] = {}
    for word in sorted(used & known.keys()):
        for pron in known[word]:
            by_sound.setdefault(pron, word)
    return {word: by_sound[" ".join(phones)] for word, phones in generated.items() if " ".join(phones) in by_sound}


@dataclass(frozen=True)
class VoiceModel:
    sentences: List[str]
    lm: str
    dictionary: str


def build_model(kb: Knowledge) -> VoiceModel:
    known = cmudict()
    sentences = corpus_sentences(kb)
    generated = generated_pronunciations(w for w in vocabulary(sentences) if w not in known)
    respell = homophone_spellings(generated, known, set(vocabulary(sentences)))
    sentences = list(dict.fromkeys(" ".join(respell.get(w, w) for w in s.split()) for s in sentences))
    words = vocabulary(sentences)
    lines = [f"{w} {p}" if i == 0 else f"{w}({i + 1}) {p}" for w in words for i, p in enumerate(known.get(w) or [" ".join(generated[w])])]
    lm = ArpaBoLM(text="\n".join(sentences), add_start=True)
    lm.compute()
    arpa = io.StringIO()
    lm.write(arpa)
    return VoiceModel(sentences, arpa.getvalue(), "\n".join(lines) + "\n")


def write_model(model: VoiceModel, out_dir: Path = VOICE_DIR) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / CORPUS_FILE.name).write_text("\n".join(model.sentences) + "\n", encoding="utf-8")
    (out_dir / DICT_FILE.name).write_text(model.dictionary, encoding="utf-8")
    (out_dir / LM_FILE.name).write_text(model.lm, encoding="utf-8")


def is_current(model: VoiceModel, out_dir: Path = VOICE_DIR) -> bool:
    files = {CORPUS_FILE.name: "\n".join(model.sentences) + "\n", DICT_FILE.name: model.dictionary}
    return all((out_dir / name).exists() and (out_dir / name).read_text(encoding="utf-8") == text for name, text in files.items())


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the built files are stale")
    args = parser.parse_args(argv)
    model = build_model(default_knowledge())
    if args.check:
        if not is_current(model):
            print("The voice model is stale: run `python -m assistant.voice.build`.", file=sys.stderr)
            return 1
        print(f"Voice model is current ({len(model.sentences)} sentences).")
        return 0
    write_model(model)
    print(f"Voice model built in {VOICE_DIR.relative_to(ROOT)}: {len(model.sentences)} sentences.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
