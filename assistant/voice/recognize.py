"""Speech to text with pocketsphinx and the domain model from build.py."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pocketsphinx import Config, Decoder

from assistant.voice.audio import SAMPLE_RATE, pcm_seconds
from assistant.voice.build import DICT_FILE, LM_FILE

# Loudest sample below this (about -40 dBFS) is silence: a decoder handed
# pure silence still "hears" a word or two, so it is not asked.
SILENCE_PEAK = 330

# Fillers the decoder writes for noise and silence, not words anyone said.
_NOT_WORDS = {"<s>", "</s>", "<sil>", "[NOISE]", "[SPEECH]"}


@dataclass(frozen=True)
class Transcript:
    text: str
    seconds: float


class Recognizer:
    """One decoder, loaded once; decoding is serialised because a pocketsphinx
    decoder holds the state of one utterance at a time."""

    def __init__(self, lm: Path = LM_FILE, dictionary: Path = DICT_FILE) -> None:
        for path in (lm, dictionary):
            if not path.exists():
                raise FileNotFoundError(f"{path.name} is missing: run `python -m assistant.voice.build`")
        config = Config(lm=str(lm), dict=str(dictionary), samprate=SAMPLE_RATE, loglevel="FATAL")
        self.decoder = Decoder(config)
        self.lock = threading.Lock()

    def transcribe(self, pcm: bytes) -> Transcript:
        """`pcm`: 16 kHz mono 16-bit little-endian samples."""
        seconds = pcm_seconds(pcm)
        samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2")
        if not samples.size or int(np.abs(samples.astype(np.int32)).max()) < SILENCE_PEAK:
            return Transcript("", seconds)
        with self.lock:
            self.decoder.start_utt()
            self.decoder.process_raw(pcm, full_utt=True)
            self.decoder.end_utt()
            words = [seg.word.split("(")[0] for seg in self.decoder.seg() if seg.word not in _NOT_WORDS]
        return Transcript(" ".join(words), seconds)
