"""`make eval-voice`: the assistant heard instead of read.

Setup (`--synthesize`) reads the symptom and red-flag cases of the written
evaluation aloud with several voices (espeak-ng formant voices, flite voices
built from recordings of people, the assistant's own Piper voice) in the
formats people send (WAV at 22 kHz, OGG/Opus, WebM/Opus, and noisy 16 kHz
WAV at a 20 dB signal-to-noise ratio), into build/voice/eval/, and each
again as a phone carries it (8 kHz narrow band, G.711 mu-law): as said,
in a room with echo, and in the street with traffic noise at 10 dB (the
noise made here, nothing downloaded). Each condition is reported apart.
The run posts
each recording to the voice channel and the same sentence, typed, to REST,
and reports the word error rate and both accuracies side by side. The real
recordings of people in Debian's pocketsphinx-testdata (LibriVox sentences,
spoken playing cards, "go forward ten meters") are recognised too, for the
word error rate only: they are not our domain.

Measurements behind the choices (not part of `make eval-voice`):
  --compare-prompts   word error rate and latency for each initial prompt
  --compare-speech    the reply voices: how well they are understood, speed
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import statistics
import sys
import time
import uuid
import wave
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Dict, List

import numpy as np

from assistant.tools.eval import Outcome, load_cases, new_sender, outcome_of, post_message, publish, score
from assistant.voice.audio import SAMPLE_RATE, convert, to_pcm16k
from assistant.voice.text import normalise
from assistant.voice.voices import engine_of, speak_as

ROOT = Path(__file__).resolve().parents[2]
VOICE_DIR = ROOT / "build" / "voice"
EVAL_DIR = VOICE_DIR / "eval"
# The dev split's other cases, read the same way: what choices for hearing
# (the prompt, the transcript's normalisation) are tuned on; the evaluation
# set above is mostly held-out cases and is only ever measured.
DEV_DIR = VOICE_DIR / "dev"
MANIFEST = EVAL_DIR / "manifest.json"
CASE_FILES = (ROOT / "tests" / "data" / "eval" / "heldout.yml", ROOT / "tests" / "data" / "eval" / "dev.yml")
DEV_FILES = (ROOT / "tests" / "data" / "eval" / "dev.yml",)
# Every held-out red-flag phrasing and look-alike is spoken as well: a red
# flag must be heard, not only read.
RED_FLAG_FILES = (ROOT / "tests" / "data" / "eval" / "redflags_heldout.yml",)
MAX_CHARS = 160  # longer cases are essays nobody reads out in one breath
# (voice, words per minute). espeak-ng's formant voices are far from
# recordings of people; flite's voices are built from such recordings; the
# Piper voice is the assistant's own. All are reported, separately too.
VOICES = (
    ("espeak:en-us+f3", 130), ("espeak:en-us+klatt", 140), ("espeak:en-us+m1", 130), ("espeak:en-us", 125),
    ("espeak:en-us+f2", 145), ("flite:slt", 150), ("flite:rms", 140), ("flite:awb", 160), ("piper:joe", 0),
)
ENGINES = ("espeak", "flite", "piper")
UTTERANCES = 120
FORMATS = ("wav", "ogg", "webm", "noisy")
NOISE_SNR_DB = 20.0
# How a telephone carries speech: 300-3400 Hz, 8 kHz, mu-law. A room's
# echo: reflections at 35-140 ms. Street noise: 10 dB under the speech.
WIDE = "wide band"
PHONE_CONDITIONS = ("phone", "phone, room echo", "phone, street noise")
PHONE_BAND = ["-af", "highpass=f=300,lowpass=f=3400", "-ar", "8000", "-ac", "1", "-c:a", "pcm_mulaw", "-f", "wav"]
ROOM_ECHO = "aecho=0.8:0.7:35|80|140:0.4|0.25|0.15"
STREET_SNR_DB = 10.0

# Debian's pocketsphinx-testdata: recordings of people with their transcripts.
TESTDATA = Path("/usr/share/pocketsphinx/test/data")


@dataclass(frozen=True)
class Utterance:
    file: str
    text: str
    voice: str
    speed: int
    format: str
    case: dict
    split: str = ""  # "dev" or "held-out": which evaluation file the case is from
    condition: str = WIDE  # or one of PHONE_CONDITIONS


def split_of(path: Path) -> str:
    return "dev" if path.name.startswith("dev") else "held-out"


def select_cases(
    files: tuple[Path, ...] = CASE_FILES, count: int = UTTERANCES, red_flag_files: tuple[Path, ...] = RED_FLAG_FILES
) -> List[dict]:
    """The cases read aloud, each with `split` (dev or held-out) added."""

    def speakable(paths: tuple[Path, ...]) -> List[dict]:
        return [
            {**c, "split": split_of(path)}
            for path in paths
            for c in load_cases(path)
            if ("expect_any" in c or "red_flag" in c) and len(c["text"]) <= MAX_CHARS
        ]

    return speakable(files)[:count] + speakable(red_flag_files)


def dev_cases() -> List[dict]:
    """The dev split's speakable cases that the evaluation set leaves out."""
    taken = {c["text"] for c in select_cases()}
    return [c for c in select_cases(DEV_FILES, 10**6, ()) if c["text"] not in taken]


def with_noise(pcm: bytes, seed: int, snr_db: float = NOISE_SNR_DB) -> bytes:
    signal = np.frombuffer(pcm, dtype=np.int16).astype(np.float64)
    power = float(np.mean(signal**2)) or 1.0
    noise = np.random.default_rng(seed).normal(0.0, (power / 10 ** (snr_db / 10)) ** 0.5, signal.shape)
    return np.clip(signal + noise, -32768, 32767).astype(np.int16).tobytes()


def street_noise(samples: int, seed: int, rate: int = SAMPLE_RATE) -> np.ndarray:
    """A street, made up: the low rumble of traffic (brown noise), a car
    passing (a swell of hiss), and a horn's two tones now and then. Unit power."""
    rng = np.random.default_rng(seed)
    t = np.arange(samples) / rate
    rumble = np.cumsum(rng.normal(0.0, 1.0, samples))
    rumble -= np.convolve(rumble, np.ones(rate // 10) / (rate // 10), mode="same")  # no drift, keep the rumble
    hiss = rng.normal(0.0, 1.0, samples) * np.exp(-(((t - rng.uniform(0, t[-1] + 1e-9)) / 0.8) ** 2))
    horn = np.zeros(samples)
    start = int(rng.uniform(0, max(1, samples - rate // 2)))
    end = min(samples, start + rate // 3)
    horn[start:end] = np.sin(2 * np.pi * 415 * t[start:end]) + np.sin(2 * np.pi * 523 * t[start:end])
    noise = rumble / (rumble.std() or 1.0) + 0.6 * hiss / (hiss.std() or 1.0) + 0.5 * horn
    return noise / (noise.std() or 1.0)


def with_street_noise(pcm: bytes, seed: int, snr_db: float = STREET_SNR_DB) -> bytes:
    signal = np.frombuffer(pcm, dtype=np.int16).astype(np.float64)
    power = float(np.mean(signal**2)) or 1.0
    noise = street_noise(signal.size, seed) * (power / 10 ** (snr_db / 10)) ** 0.5
    return np.clip(signal + noise, -32768, 32767).astype(np.int16).tobytes()


def on_the_phone(wav: bytes, condition: str, seed: int) -> bytes:
    """`wav` as a phone call carries it, in one of PHONE_CONDITIONS."""
    if condition == "phone, room echo":
        return convert(["-af", ROOM_ECHO, *PHONE_BAND], wav)
    if condition == "phone, street noise":
        return convert(PHONE_BAND, wav_bytes(with_street_noise(to_pcm16k(wav), seed)))
    return convert(PHONE_BAND, wav)


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
    return convert(["-ar", "22050", "-f", "wav"], wav)


def synthesize_set(out_dir: Path = EVAL_DIR, cases: List[dict] | None = None, phone: bool = True) -> List[Utterance]:
    """The recordings, wide band first, then (`phone`) each again in every
    phone condition: the same speech, so the conditions compare fairly."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.*"):
        old.unlink()
    utterances, phoned = [], []
    for i, case in enumerate(select_cases() if cases is None else cases):
        voice, speed = VOICES[i % len(VOICES)]
        kind = FORMATS[(i // len(VOICES)) % len(FORMATS)]  # every voice in every format
        name = f"{i:03d}.{'wav' if kind == 'noisy' else kind}"
        speech = speak_as(case["text"], voice, speed)
        (out_dir / name).write_bytes(encode(speech, kind, seed=i))
        split = case.pop("split")
        utterances.append(Utterance(name, case["text"], voice, speed, kind, case, split))
        for number, condition in enumerate(PHONE_CONDITIONS if phone else ()):
            phone_name = f"{i:03d}.phone{number}.wav"
            (out_dir / phone_name).write_bytes(on_the_phone(speech, condition, seed=i))
            phoned.append(Utterance(phone_name, case["text"], voice, speed, "wav8k", case, split, condition))
    utterances += phoned
    (out_dir / MANIFEST.name).write_text(json.dumps([asdict(u) for u in utterances], indent=1), encoding="utf-8")
    return utterances


def load_set(out_dir: Path = EVAL_DIR) -> List[Utterance]:
    manifest = out_dir / MANIFEST.name
    if not manifest.exists():
        flag = "--synthesize-dev" if out_dir == DEV_DIR else "--synthesize"
        raise FileNotFoundError(f"no synthesized utterances: run `python -m assistant.voice.evaluate {flag}`")
    return [Utterance(**u) for u in json.loads(manifest.read_text(encoding="utf-8"))]


# ------------------------------------------------------------ real recordings


@dataclass(frozen=True)
class Recording:
    name: str
    group: str
    text: str
    pcm: bytes


def _transcripts(path: Path) -> Dict[str, str]:
    """Sphinx transcription lines, "<s> words </s> (id)", by id."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        words, _, rest = line.rpartition("(")
        if rest.endswith(")"):
            found[rest[:-1].strip()] = " ".join(w for w in words.split() if w not in ("<s>", "</s>"))
    return found


def real_recordings(root: Path = TESTDATA) -> List[Recording]:
    """The recordings of people in pocketsphinx-testdata with a known transcript."""
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is missing: install Debian's pocketsphinx-testdata (`make setup` does)")
    found = []
    for group, folder in (("librivox", root / "librivox"), ("cards", root / "cards")):
        texts = _transcripts(folder / ("transcription" if group == "librivox" else "cards.transcription"))
        for name, text in sorted(texts.items()):
            found.append(Recording(name, group, text, to_pcm16k((folder / f"{name}.wav").read_bytes())))
    # Raw 16 kHz samples; its words are the test's expected result upstream.
    found.append(Recording("goforward", "goforward", "go forward ten meters", (root / "goforward.raw").read_bytes()))
    return found


def recognise_real(recognizer) -> Dict[str, object]:
    recordings = real_recordings()
    heard = [recognizer.transcribe(r.pcm).text for r in recordings]
    by_group: Dict[str, List[int]] = {}
    for i, r in enumerate(recordings):
        by_group.setdefault(r.group, []).append(i)

    def wer_of(indices: List[int]) -> float:
        return round(word_error_rate([recordings[i].text for i in indices], [heard[i] for i in indices]), 4)

    return {
        "recordings": len(recordings),
        "word_error_rate": wer_of(list(range(len(recordings)))),
        "word_error_rate_by": {g: wer_of(ix) for g, ix in sorted(by_group.items())},
        "heard": [{"said": r.text, "heard": h} for r, h in zip(recordings, heard, strict=True) if comparable(r.text) != comparable(h)],
    }


# ------------------------------------------------------------ scoring


def comparable(text: str) -> str:
    """Words as both sides spell them: "can't" and "cant" are the same word
    said, and so are "10" and "ten", "meters" and "metres"."""
    words = normalise(text.replace("-", " ")).replace("'", "").split()
    return " ".join({"metres": "meters", "okay": "ok"}.get(w, w) for w in words)


def word_error_rate(references: List[str], hypotheses: List[str]) -> float:
    import jiwer

    pairs = [(comparable(r), comparable(h)) for r, h in zip(references, hypotheses, strict=True)]
    kept = [(r, h or "_") for r, h in pairs if r]
    return float(jiwer.wer([r for r, _ in kept], [h for _, h in kept]))


@dataclass
class Heard:
    utterance: Utterance
    transcript: str
    voice: Outcome  # "asked": the turn was the one red-flag question, and the rest is after its answer
    typed: Outcome
    seconds: float


def asks_about_red_flag(replies: List[dict]) -> bool:
    return any((reply.get("custom") or {}).get("type") == "red_flag_check" for reply in replies)


def answered(session, rasa_url: str, sender: str, replies: List[dict], case: dict) -> Outcome:
    """What a turn led to. The one red-flag question is answered as the
    case's speaker would: yes when the case is a red flag, no otherwise."""
    if not asks_about_red_flag(replies):
        return {**outcome_of(replies), "asked": False}
    answer = post_message(session, rasa_url, sender, "yes" if case.get("red_flag") else "no")
    return {**outcome_of(answer), "asked": True}


def run_set(utterances: List[Utterance], rasa_url: str, out_dir: Path = EVAL_DIR) -> List[Heard]:
    import requests

    session, heard = requests.Session(), []
    typed: Dict[str, Outcome] = {}
    for u in utterances:
        started = time.perf_counter()
        sender = f"voice-eval-{uuid.uuid4().hex}"
        answer = session.post(
            f"{rasa_url}/webhooks/voice/webhook",
            files={"audio": (u.file, (out_dir / u.file).read_bytes())},
            data={"sender": sender},
            params={"format": "none"},  # heard and answered; reading aloud is timed by `make bench`
            timeout=60,
        )
        seconds = time.perf_counter() - started
        answer.raise_for_status()
        body = answer.json()
        if u.text not in typed:
            typed_sender = new_sender()
            typed[u.text] = answered(session, rasa_url, typed_sender, post_message(session, rasa_url, typed_sender, u.text), u.case)
        heard.append(Heard(u, body["transcript"], answered(session, rasa_url, sender, body["messages"], u.case), typed[u.text], seconds))
    return heard


def red_flag_outcomes(group: List[Heard], side: str = "voice") -> Dict[str, object]:
    """Red flags caught outright, caught after the one question, and missed;
    and the share of the other turns (symptoms, look-alikes) that got the question."""
    outcomes = [(h.utterance.case, getattr(h, side)) for h in group]
    flags = [o for c, o in outcomes if c.get("red_flag")]
    others = [o for c, o in outcomes if not c.get("red_flag")]
    return {
        "red_flags": len(flags),
        "caught_outright": sum(o["red_flag"] and not o["asked"] for o in flags),
        "caught_after_question": sum(o["red_flag"] and o["asked"] for o in flags),
        "missed": sum(not o["red_flag"] for o in flags),
        "caught_share": round(sum(bool(o["red_flag"]) for o in flags) / len(flags), 4) if flags else None,
        "other_turns": len(others),
        "other_turns_asked": sum(bool(o["asked"]) for o in others),
        "other_turns_asked_share": round(sum(bool(o["asked"]) for o in others) / len(others), 4) if others else None,
    }


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


def by_split(heard: List[Heard], split: str) -> Dict[str, object]:
    """The figures of the dev cases and of the held-out ones, apart."""
    group = [h for h in heard if h.utterance.split == split]
    voice, typed = figures_of(group)
    return {
        **red_flag_outcomes(group),
        "utterances": len(group),
        "word_error_rate": round(word_error_rate([h.utterance.text for h in group], [h.transcript for h in group]), 4),
        "top3_voice": voice["top3"],
        "top3_typed": typed["top3"],
        "red_flag_recall_voice": voice["red_flag_recall"],
        "red_flag_recall_typed": typed["red_flag_recall"],
    }


def heard_wer(group: List[Heard]) -> float:
    return round(word_error_rate([h.utterance.text for h in group], [h.transcript for h in group]), 4)


def by_condition(heard: List[Heard], condition: str) -> Dict[str, object]:
    """One way of carrying the speech (wide band, or a phone condition), its
    held-out recordings only, with the word error rate of the same sentences
    in wide band beside it."""
    group = [h for h in heard if h.utterance.condition == condition and h.utterance.split == "held-out"]
    voice, typed = figures_of(group)
    texts = {h.utterance.text for h in group}
    same_wide = [h for h in heard if h.utterance.condition == WIDE and h.utterance.text in texts]
    return {
        "utterances": len(group),
        "word_error_rate": heard_wer(group),
        "word_error_rate_wide_band": heard_wer(same_wide) if same_wide else None,
        "top3_voice": voice["top3"],
        "top3_typed": typed["top3"],
        "red_flag_recall_voice": voice["red_flag_recall"],
        "false_alarms_voice": voice["red_flag_false_alarm_rate"],
        **red_flag_outcomes(group),
    }


def summarise(all_heard: List[Heard]) -> Dict[str, object]:
    """The headline figures are the wide-band recordings' (as before the
    phone conditions); each condition, held-out only, is reported apart."""
    heard = [h for h in all_heard if h.utterance.condition == WIDE]
    groups: Dict[str, List[Heard]] = {}
    for h in heard:
        groups.setdefault(f"voice {h.utterance.voice}", []).append(h)
        groups.setdefault(f"format {h.utterance.format}", []).append(h)
        groups.setdefault(f"engine {engine_of(h.utterance.voice)}", []).append(h)
    synthetic = [h for h in heard if engine_of(h.utterance.voice) != "piper"]
    voice_figures, typed_figures = figures_of(heard)
    return {
        "utterances": len(heard),
        "word_error_rate": heard_wer(heard),
        # Other people's voices only: the assistant's own voice is the easiest to hear.
        "word_error_rate_espeak_flite": heard_wer(synthetic) if synthetic else None,
        "word_error_rate_by": {name: heard_wer(group) for name, group in sorted(groups.items())},
        "voice": voice_figures,
        "typed": typed_figures,
        "top3_gap_points": round(100 * ((typed_figures["top3"] or 0) - (voice_figures["top3"] or 0)), 1),
        "red_flag_recall_gap_points": round(100 * ((typed_figures["red_flag_recall"] or 0) - (voice_figures["red_flag_recall"] or 0)), 1),
        "by_engine": {e: by_engine(heard, e) for e in ENGINES if any(engine_of(h.utterance.voice) == e for h in heard)},
        "by_split": {split: by_split(heard, split) for split in ("dev", "held-out") if any(h.utterance.split == split for h in heard)},
        "red_flags_voice": red_flag_outcomes(heard),
        "red_flags_typed": red_flag_outcomes(heard, "typed"),
        "by_condition": {
            c: by_condition(all_heard, c) for c in (WIDE, *PHONE_CONDITIONS) if any(h.utterance.condition == c for h in all_heard)
        },
        "seconds_per_utterance_p50": round(statistics.median(h.seconds for h in heard), 3),
        "misheard": [
            {"said": h.utterance.text, "heard": h.transcript, "voice": h.utterance.voice, "format": h.utterance.format}
            for h in heard
            if (h.voice.get("red_flag") != h.typed.get("red_flag")) or not (set(h.voice["muscles"][:3]) & set(h.typed["muscles"][:3]) or not h.typed["muscles"])
        ],
    }


# ------------------------------------------------------------ measurements behind the choices


def _as_heard(engine: Callable[[dict], Outcome], heard: Dict[int, str], case: dict) -> Outcome:
    return engine({**case, "text": heard[id(case)]})


def compare_prompts(every: int = 1, names: List[str] | None = None, out_dir: Path = DEV_DIR, start: int = 0) -> Dict[str, object]:
    """Word error rate, time per recording and the matching engine's
    accuracy (spoken against typed, no Rasa) for each prompt in
    prompt.PROMPTS, on every `every`-th recording of the dev set (never the
    held-out evaluation set: the choice is tuned here) and on the real ones,
    recognised directly (no servers)."""
    from assistant.knowledge.loader import default_knowledge
    from assistant.tools.eval import engine_runner
    from assistant.voice.prompt import PROMPTS, token_count
    from assistant.voice.recognize import Recognizer

    kb, utterances = default_knowledge(), load_set(out_dir)[start::every]
    pcm = [to_pcm16k((out_dir / u.file).read_bytes()) for u in utterances]
    engine = engine_runner()
    cases = [u.case for u in utterances]
    typed = score(cases, engine, with_intents=False).figures()
    results: Dict[str, object] = {"recordings": len(utterances), "splits": sorted({u.split for u in utterances})}
    for name, make in PROMPTS.items():
        if names and name not in names:
            continue
        prompt = make(kb)
        recognizer = Recognizer(prompt=prompt)
        started = time.perf_counter()
        heard = [recognizer.transcribe(p).text for p in pcm]
        seconds = (time.perf_counter() - started) / len(pcm)
        by_text = {id(u.case): h for u, h in zip(utterances, heard, strict=True)}
        spoken = score(cases, functools.partial(_as_heard, engine, by_text), with_intents=False).figures()
        engines = {e: [i for i, u in enumerate(utterances) if engine_of(u.voice) == e] for e in ENGINES}
        results[name] = {
            "prompt_tokens": token_count(prompt) if prompt else 0,
            "synthetic": round(word_error_rate([u.text for u in utterances], heard), 4),
            **{e: round(word_error_rate([utterances[i].text for i in ix], [heard[i] for i in ix]), 4) for e, ix in engines.items() if ix},
            "top3_spoken": spoken["top3"],
            "top3_typed": typed["top3"],
            "red_flag_recall_spoken": spoken["red_flag_recall"],
            "red_flag_recall_typed": typed["red_flag_recall"],
            "false_alarms_spoken": spoken["red_flag_false_alarm_rate"],
            "real": recognise_real(recognizer)["word_error_rate"],
            "seconds_per_recording": round(seconds, 3),
        }
        print(name, results[name], file=sys.stderr, flush=True)
    return results


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthesize", action="store_true", help="(re)make the recordings and stop")
    parser.add_argument("--synthesize-dev", action="store_true", help="(re)make the dev set's recordings (for --compare-prompts) and stop")
    parser.add_argument("--compare-prompts", nargs="*", metavar="NAME", help="measure each initial prompt, or those named (no servers)")
    parser.add_argument("--compare-speech", action="store_true", help="measure the reply voices (no servers)")
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "assistant.tar.gz")
    parser.add_argument("--json", type=Path, help="also write the summary here")
    args = parser.parse_args(argv)
    if args.synthesize:
        print(f"Synthesized {len(synthesize_set())} utterances in {EVAL_DIR.relative_to(ROOT)}.")
        return 0
    if args.synthesize_dev:
        print(f"Synthesized {len(synthesize_set(DEV_DIR, dev_cases(), phone=False))} utterances in {DEV_DIR.relative_to(ROOT)}.")
        return 0
    measure: Callable[[], Dict[str, object]] | None = None
    if args.compare_prompts is not None:
        measure = functools.partial(compare_prompts, names=args.compare_prompts)
    elif args.compare_speech:
        from assistant.voice.speech_out import compare_speech

        measure = compare_speech
    if measure is not None:
        figures = measure()
        publish(figures, figures, args.json)
        return 0
    from assistant.tools.servers import running_assistant
    from assistant.voice.recognize import Recognizer

    with running_assistant(args.model) as servers:
        summary = summarise(run_set(load_set(), servers.rasa_url))
    summary["real_recordings"] = recognise_real(Recognizer())
    publish(summary, summary, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
