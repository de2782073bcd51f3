"""Speech to text with faster-whisper (Whisper tiny.en, int8, on the CPU).

- The knowledge base's words go in as the initial prompt (prompt.py), so
  "piriformis" and "TFL" are heard as such.
- The answers the last reply offered (its buttons, "next", "repeat"...) go
  in as hotwords for that turn: a one-word answer has no context of its own,
  and without them "worse" can come back as "We'll see you next time."
- Silero voice activity detection (bundled with faster-whisper) cuts the
  silence before anything is decoded; Whisper writes words for silence and
  noise otherwise.
- A transcript the model itself doubts (mostly "no speech", very unlikely
  tokens, or a loop of repeated words) counts as not heard.
- The beam search's runners-up come back too (`Transcript.alternatives`):
  a formant voice's "fell off my bike" can come out as "I love my bike" on
  top and right just below it, and what is acted on is chosen among them
  (hypotheses.py).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np

from assistant.voice import memory
from assistant.voice.audio import pcm_seconds
from assistant.voice.prompt import default_prompt
from assistant.voice.text import normalise
from assistant.voice.weights import WHISPER_TINY_EN, Weights, verified

BEAM_SIZE = 5
THREADS = 2
# A segment is dropped when Whisper thinks it is probably not speech and is
# unsure of its words, when its words are very unlikely, or when they repeat
# in a loop (text that compresses too well).
NO_SPEECH_PROBABILITY = 0.6
DOUBTFUL_LOG_PROBABILITY = -0.8
UNLIKELY_LOG_PROBABILITY = -2.0  # a lone word scores about -1.5 even when right
LOOPING_COMPRESSION = 2.4
VAD = {"min_silence_duration_ms": 500, "speech_pad_ms": 300}
# The best reading and the next two, when they score within this much of it
# (mean log-probability per token). On the dev recordings two readings
# caught fewer cases, all five of the beam no more and one false alarm more;
# any margin from 0.1 to 1.0 gave the same.
HYPOTHESES = 3
HYPOTHESIS_MARGIN = 0.2


@dataclass(frozen=True)
class Transcript:
    text: str
    seconds: float
    alternatives: tuple[str, ...] = ()  # the beam's runners-up, best first


@dataclass(frozen=True)
class Heard:
    """One decoded stretch of speech and how sure Whisper was of it."""

    text: str
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float


def believable(segment: Heard) -> bool:
    if not segment.text.strip():
        return False
    if segment.compression_ratio > LOOPING_COMPRESSION:
        return False
    if segment.avg_logprob < UNLIKELY_LOG_PROBABILITY:
        return False
    return not (segment.no_speech_prob > NO_SPEECH_PROBABILITY and segment.avg_logprob < DOUBTFUL_LOG_PROBABILITY)


def joined(segments: Iterable[Heard]) -> str:
    return " ".join(s.text.strip() for s in segments if believable(s)).strip()


def hotword_text(phrases: Sequence[str]) -> str | None:
    """The turn's expected answers as one hotword string, each once."""
    unique = list(dict.fromkeys(p.strip() for p in phrases if p and p.strip()))
    return ", ".join(unique) or None


class RunnersUp:
    """CTranslate2's Whisper as faster-whisper calls it, asking each beam
    search for its runners-up too and keeping them: they cost nothing, the
    beam holds them anyway. faster-whisper reads only the best."""

    def __init__(self, whisper: Any) -> None:
        self._whisper = whisper
        self.searches: list[Any] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._whisper, name)

    def generate(self, features: Any, prompts: Any, **options: Any) -> Any:
        beam = options.get("beam_size", 1) >= HYPOTHESES
        if beam:
            options["num_hypotheses"] = HYPOTHESES
        results = self._whisper.generate(features, prompts, **options)
        # A sampled retry (temperature fallback) has no ranked runners-up.
        self.searches.append(results[0] if beam else None)
        return results


def runners_up(readings: Sequence[tuple[str, float]], margin: float = HYPOTHESIS_MARGIN) -> tuple[str, ...]:
    """The readings after the first that score within `margin` of it and say
    other words than it and each other (not only other punctuation)."""
    if not readings:
        return ()
    best_text, best_score = readings[0]
    seen, kept = {normalise(best_text)}, []
    for text, score in readings[1:]:
        words = normalise(text)
        if words and words not in seen and best_score - score <= margin:
            seen.add(words)
            kept.append(text.strip())
    return tuple(kept)


class Recognizer:
    """One model per process, loaded once. CTranslate2 runs one decode at a
    time well on two cores; concurrent turns queue on the lock."""

    def __init__(self, weights: Weights = WHISPER_TINY_EN, prompt: str | None = None, beam_size: int = BEAM_SIZE) -> None:
        from faster_whisper import WhisperModel
        from faster_whisper.tokenizer import Tokenizer

        memory.share_one_arena()
        folder = verified(weights)
        self.model = WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=THREADS, num_workers=1)
        self.beams = RunnersUp(self.model.model)
        self.model.model = self.beams
        self.tokens = Tokenizer(self.model.hf_tokenizer, False, task="transcribe", language="en")
        self.prompt = default_prompt() if prompt is None else prompt
        self.beam_size = beam_size
        self.lock = threading.Lock()

    def heard(self, pcm: bytes, hotwords: Sequence[str] = ()) -> tuple[list[Heard], tuple[str, ...]]:
        """The decoded segments, and the runners-up of a turn said in one
        stretch and decoded in one beam search (the usual turn; a longer one
        keeps only its best reading)."""
        samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float32) / 32768.0
        if not samples.size:
            return [], ()
        with self.lock:
            self.beams.searches = []
            found, _ = self.model.transcribe(
                samples,
                language="en",
                beam_size=self.beam_size,
                initial_prompt=self.prompt or None,
                hotwords=hotword_text(hotwords),
                condition_on_previous_text=False,
                vad_filter=True,
                vad_parameters=VAD,
                without_timestamps=True,
            )
            segments = [Heard(s.text, s.avg_logprob, s.no_speech_prob, s.compression_ratio) for s in found]
            searches = self.beams.searches
        others: tuple[str, ...] = ()
        if len(segments) == 1 and believable(segments[0]) and len(searches) == 1 and searches[0] is not None:
            search = searches[0]
            readings = [(self.tokens.decode(ids), score) for ids, score in zip(search.sequences_ids, search.scores, strict=True)]
            others = runners_up(readings)
        return segments, others

    def transcribe(self, pcm: bytes, hotwords: Sequence[str] = ()) -> Transcript:
        """`pcm`: 16 kHz mono 16-bit little-endian samples; `hotwords`: the
        answers this turn expects. Empty text when nothing believable was said."""
        segments, others = self.heard(pcm, hotwords)
        return Transcript(joined(segments), pcm_seconds(pcm), others)


__all__ = ["Recognizer", "RunnersUp", "Transcript", "believable", "hotword_text", "joined", "runners_up"]
