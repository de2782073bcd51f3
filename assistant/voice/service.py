"""Hearing and speaking, for every channel that carries voice: audio in any
format to a transcript, spoken text to audio, and where each conversation
is in the spoken form of its last reply. Blocking calls (ffmpeg,
faster-whisper, Piper): async channels run them in an executor."""

from __future__ import annotations

import threading
from typing import Sequence

from assistant.voice.audio import encode_reply, to_pcm16k
from assistant.voice.recognize import Recognizer, Transcript
from assistant.voice.speak import Speaker, shared_speaker
from assistant.voice.spoken import Readings

MAX_AUDIO_BYTES = 10 * 1024 * 1024


class VoiceService:
    def __init__(self) -> None:
        self._recognizer: Recognizer | None = None
        self._loading = threading.Lock()
        self.readings = Readings()

    @property
    def recognizer(self) -> Recognizer:
        # Loaded on first use, once, so a server without voice traffic pays nothing.
        with self._loading:
            if self._recognizer is None:
                self._recognizer = Recognizer()
            return self._recognizer

    @property
    def speaker(self) -> Speaker:
        return shared_speaker()

    def hear(self, audio: bytes, expected: Sequence[str] = ()) -> Transcript:
        """`expected`: the answers the last reply offered. Raises AudioError
        when `audio` is not audio."""
        return self.recognizer.transcribe(to_pcm16k(audio), expected)

    def say(self, text: str, kind: str = "mp3", slow: bool = False) -> bytes:
        """`text` read aloud, encoded as `kind` (see ENCODINGS); empty when
        there is nothing to say."""
        return encode_reply(self.speaker.wav(text, slow), kind) if text.strip() else b""


_shared: VoiceService | None = None
_creating = threading.Lock()


def shared_service() -> VoiceService:
    """One recogniser, one voice and one set of reading places per process,
    whichever channels carry voice."""
    global _shared
    with _creating:
        if _shared is None:
            _shared = VoiceService()
        return _shared
