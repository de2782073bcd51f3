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
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from assistant.voice import memory
from assistant.voice.audio import pcm_seconds
from assistant.voice.prompt import default_prompt
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


@dataclass(frozen=True)
class Transcript:
    text: str
    seconds: float


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


class Recognizer:
    """One model per process, loaded once. CTranslate2 runs one decode at a
    time well on two cores; concurrent turns queue on the lock."""

    def __init__(self, weights: Weights = WHISPER_TINY_EN, prompt: str | None = None, beam_size: int = BEAM_SIZE) -> None:
        from faster_whisper import WhisperModel

        memory.share_one_arena()
        folder = verified(weights)
        self.model = WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=THREADS, num_workers=1)
        self.prompt = default_prompt() if prompt is None else prompt
        self.beam_size = beam_size
        self.lock = threading.Lock()

    def segments(self, pcm: bytes, hotwords: Sequence[str] = ()) -> list[Heard]:
        samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float32) / 32768.0
        if not samples.size:
            return []
        with self.lock:
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
            return [Heard(s.text, s.avg_logprob, s.no_speech_prob, s.compression_ratio) for s in found]

    def transcribe(self, pcm: bytes, hotwords: Sequence[str] = ()) -> Transcript:
        """`pcm`: 16 kHz mono 16-bit little-endian samples; `hotwords`: the
        answers this turn expects. Empty text when nothing believable was said."""
        text = joined(self.segments(pcm, hotwords))
        memory.give_back()  # the features and the decoder's buffers (memory.py)
        return Transcript(text, pcm_seconds(pcm))


__all__ = ["Recognizer", "Transcript", "believable", "hotword_text", "joined"]
