"""`make eval-voice`: the assistant heard instead of read.

Setup (`--synthesize`) reads the symptom and red-flag cases of the written
evaluation aloud with several espeak-ng and flite voices and speeds, in the formats
people send (WAV at 22 kHz, OGG/Opus, WebM/Opus, and noisy 16 kHz WAV at a
20 dB signal-to-noise ratio), into build/voice/eval/. The run posts each
recording to the voice channel and the same sentence, typed, to REST, and
reports the word error rate and both accuracies side by side.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import wave
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Dict, List

import numpy as np

from assistant.eval import Outcome, load_cases, outcome_of, publish, score, typed_outcome
from assistant.voice.audio import SAMPLE_RATE, convert, to_pcm16k
from assistant.voice.build import VOICE_DIR
from assistant.voice.corpus import normalise
from assistant.voice.speak import synthesize

ROOT = Path(__file__).resolve().parents[2]
EVAL_DIR = VOICE_DIR / "eval"
MANIFEST = EVAL_DIR / "manifest.json"
# Held-out cases first: the recogniser's corpus never saw any of them.
CASE_FILES = (ROOT / "tests" / "data" / "eval" / "heldout.yml", ROOT / "tests" / "data" / "eval" / "dev.yml")
# Every held-out red-flag phrasing and look-alike is spoken as well: a red
# flag must be heard, not only read.
RED_FLAG_FILES = (ROOT / "tests" / "data" / "eval" / "redflags_heldout.yml",)
MAX_CHARS = 160  # longer cases are essays nobody reads out in one breath
# (espeak-ng voice, words per minute)
# (voice, words per minute). espeak-ng's formant voices are far from the
# recordings the acoustic model learned from; flite's voices, built from
# recordings of people, are nearer to what a microphone hears. Both are
# reported, separately too.
VOICES = (
    ("en-us+f3", 130), ("en-us+klatt", 140), ("en-us+m1", 130), ("en-us", 125), ("en-us+f2", 145),
    ("flite:slt", 150), ("flite:rms", 140), ("flite:awb", 160),
)
UTTERANCES = 120
FORMATS = ("wav", "ogg", "webm", "noisy")
NOISE_SNR_DB = 20.0


@dataclass(frozen=True)
class Utterance:
    file: str
    text: str
    voice: str
    speed: int
    format: str
    case: dict


def select_cases(
    files: tuple[Path, ...] = CASE_FILES, count: int = UTTERANCES, red_flag_files: tuple[Path, ...] = RED_FLAG_FILES
) -> List[dict]:
    def speakable(paths: tuple[Path, ...]) -> List[dict]:
        return [c for path in paths for c in load_cases(path) if ("expect_any" in c or "red_flag" in c) and len(c["text"]) <= MAX_CHARS]

    return speakable(files)[:count] + speakable(red_flag_files)


def with_noise(pcm: bytes, seed: int, snr_db: float = NOISE_SNR_DB) -> bytes:
    signal = np.frombuffer(pcm, dtype=np.int16).astype(np.float64)
    power = float(np.mean(signal**2)) or 1.0
    noise = np.random.default_rng(seed).normal(0.0, (power / 10 ** (snr_db / 10)) ** 0.5, signal.shape)
    return np.clip(signal + noise, -32768, 32767).astype(np.int16).tobytes()


def wav_bytes(pcm: bytes, rate: int = SAMPLE_RATE) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(rate)
        f.writeframes(pcm)
    return out.getvalue()


def encode(wav: bytes, kind: str, seed: int) -> bytes:
    if kind == "ogg":
        return convert(["-ac", "1", "-c:a", "libopus", "-b:a", "32k", "-f", "ogg"], wav)
    if kind == "webm":
        return convert(["-ac", "1", "-c:a", "libopus", "-b:a", "32k", "-f", "webm"], wav)
    if kind == "noisy":
        return wav_bytes(with_noise(to_pcm16k(wav), seed))
    return convert(["-f", "wav"], wav)  # espeak-ng's streamed header names no length; rewrite it


def speak_as(text: str, voice: str, speed: int) -> bytes:
    """WAV of `text` in an espeak-ng voice, or a flite one ("flite:slt")."""
    if not voice.startswith("flite:"):
        return synthesize(text, voice, speed)
    binary = shutil.which("flite")
    if binary is None:
        raise FileNotFoundError("flite is not installed (run `make setup`)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "speech.wav"
        # flite speaks about 170 words a minute; stretch its durations to `speed`.
        stretch = f"duration_stretch={170 / speed:.2f}"
        subprocess.run([binary, "-voice", voice.split(":", 1)[1], "--setf", stretch, "-t", text, "-o", str(out)], check=True)
        return out.read_bytes()


def synthesize_set(out_dir: Path = EVAL_DIR) -> List[Utterance]:
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.*"):
        old.unlink()
    utterances = []
    for i, case in enumerate(select_cases()):
        voice, speed = VOICES[i % len(VOICES)]
        kind = FORMATS[(i // len(VOICES)) % len(FORMATS)]  # every voice in every format
        name = f"{i:03d}.{'wav' if kind == 'noisy' else kind}"
        (out_dir / name).write_bytes(encode(speak_as(case["text"], voice, speed), kind, seed=i))
        utterances.append(Utterance(name, case["text"], voice, speed, kind, case))
    (out_dir / MANIFEST.name).write_text(json.dumps([asdict(u) for u in utterances], indent=1), encoding="utf-8")
    return utterances


def load_set(out_dir: Path = EVAL_DIR) -> List[Utterance]:
    manifest = out_dir / MANIFEST.name
    if not manifest.exists():
        raise FileNotFoundError("no synthesized utterances: run `python -m assistant.voice.evaluate --synthesize`")
    return [Utterance(**u) for u in json.loads(manifest.read_text(encoding="utf-8"))]


def comparable(text: str) -> str:
    """Words as both sides spell them: "can't" and "cant" are the same word said."""
    return normalise(text).replace("'", "")


def word_error_rate(references: List[str], hypotheses: List[str]) -> float:
    import jiwer

    pairs = [(comparable(r), comparable(h)) for r, h in zip(references, hypotheses, strict=True)]
    kept = [(r, h) for r, h in pairs if r]
    return float(jiwer.wer([r for r, _ in kept], [h for _, h in kept]))


@dataclass
class Heard:
    utterance: Utterance
    transcript: str
    voice: Outcome
    typed: Outcome
    seconds: float


def run_set(utterances: List[Utterance], rasa_url: str, out_dir: Path = EVAL_DIR) -> List[Heard]:
    import requests

    session, heard = requests.Session(), []
    for u in utterances:
        started = time.perf_counter()
        answer = session.post(
            f"{rasa_url}/webhooks/voice/webhook",
            files={"audio": (u.file, (out_dir / u.file).read_bytes())},
            data={"sender": f"voice-eval-{uuid.uuid4().hex}"},
            timeout=60,
        )
        seconds = time.perf_counter() - started
        answer.raise_for_status()
        body = answer.json()
        heard.append(Heard(u, body["transcript"], outcome_of(body["messages"]), typed_outcome(session, rasa_url, u.text), seconds))
    return heard


def engine_of(voice: str) -> str:
    return "flite" if voice.startswith("flite:") else "espeak-ng"


def figures_of(group: List[Heard]) -> tuple[Dict[str, float | None], Dict[str, float | None]]:
    """The `make eval` figures of the recordings heard, and of the same sentences typed."""
    cases = [h.utterance.case for h in group]
    by_case = {id(h.utterance.case): h for h in group}
    voice = score(cases, lambda c: by_case[id(c)].voice, with_intents=False).figures()
    typed = score(cases, lambda c: by_case[id(c)].typed, with_intents=False).figures()
    return voice, typed


def by_engine(heard: List[Heard], engine: str) -> Dict[str, float | None]:
    voice, typed = figures_of([h for h in heard if engine_of(h.utterance.voice) == engine])
    return {
        "top3_voice": voice["top3"],
        "top3_typed": typed["top3"],
        "red_flag_recall_voice": voice["red_flag_recall"],
        "red_flag_recall_typed": typed["red_flag_recall"],
    }


def summarise(heard: List[Heard]) -> Dict[str, object]:

    def wer_of(group: List[Heard]) -> float:
        return round(word_error_rate([h.utterance.text for h in group], [h.transcript for h in group]), 4)

    groups: Dict[str, List[Heard]] = {}
    for h in heard:
        groups.setdefault(f"voice {h.utterance.voice}", []).append(h)
        groups.setdefault(f"format {h.utterance.format}", []).append(h)
        groups.setdefault(f"engine {engine_of(h.utterance.voice)}", []).append(h)
    voice_figures, typed_figures = figures_of(heard)
    return {
        "utterances": len(heard),
        "word_error_rate": wer_of(heard),
        "word_error_rate_by": {name: wer_of(group) for name, group in sorted(groups.items())},
        "voice": voice_figures,
        "typed": typed_figures,
        "top3_gap_points": round(100 * ((typed_figures["top3"] or 0) - (voice_figures["top3"] or 0)), 1),
        "by_engine": {e: by_engine(heard, e) for e in ("espeak-ng", "flite")},
        "seconds_per_utterance_p50": round(statistics.median(h.seconds for h in heard), 3),
        "misheard": [
            {"said": h.utterance.text, "heard": h.transcript, "voice": h.utterance.voice, "format": h.utterance.format}
            for h in heard
            if (h.voice.get("red_flag") != h.typed.get("red_flag")) or not (set(h.voice["muscles"][:3]) & set(h.typed["muscles"][:3]) or not h.typed["muscles"])
        ],
    }


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthesize", action="store_true", help="(re)make the recordings and stop")
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "assistant.tar.gz")
    parser.add_argument("--json", type=Path, help="also write the summary here")
    args = parser.parse_args(argv)
    if args.synthesize:
        print(f"Synthesized {len(synthesize_set())} utterances in {EVAL_DIR.relative_to(ROOT)}.")
        return 0
    from assistant.servers import running_assistant

    with running_assistant(args.model) as servers:
        summary = summarise(run_set(load_set(), servers.rasa_url))
    publish(summary, summary, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
