"""Hearing and speaking, for every channel that carries voice: audio in any
format to a transcript, spoken text to audio, and where each conversation
is in the spoken form of its last reply. Blocking calls (ffmpeg,
faster-whisper, Piper): async channels run them in an executor."""

from __future__ import annotations

import threading
from typing import Sequence

from assistant.voice import memory
from assistant.voice.audio import encode_reply, to_pcm16k
from assistant.voice.recognize import Recognizer, Transcript
from assistant.voice.speak import Speaker, shared_speaker
from assistant.voice.spoken import Readings

MAX_AUDIO_BYTES = 10 * 1024 * 1024
# Freed memory goes back to the system this long after the last hearing or
# reading, off the turn's path: the trimming itself takes about 10 ms a
# turn, and done between hearing and reading it made the reading fault its
# pages in again.
GIVE_BACK_AFTER_SECONDS = 0.5


class VoiceService:
    def __init__(self) -> None:
        self._recognizer: Recognizer | None = None
        self._loading = threading.Lock()
        self.readings = Readings()
        self._giving_back: threading.Timer | None = None
        self._timing = threading.Lock()

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
        try:
            return self.recognizer.transcribe(to_pcm16k(audio), expected)
        finally:
            self.give_back_soon()

    def say(self, text: str, kind: str = "mp3", slow: bool = False) -> bytes:
        """`text` read aloud, encoded as `kind` (see ENCODINGS); empty when
        there is nothing to say."""
        if not text.strip():
            return b""
        try:
            return encode_reply(self.speaker.wav(text, slow), kind)
        finally:
            self.give_back_soon()

    def give_back_soon(self) -> threading.Timer:
        """Hands freed memory back (memory.py) once voice work has paused
        for GIVE_BACK_AFTER_SECONDS; each call pushes it back."""
        with self._timing:
            if self._giving_back is not None:
                self._giving_back.cancel()
            self._giving_back = threading.Timer(GIVE_BACK_AFTER_SECONDS, memory.give_back)
            self._giving_back.daemon = True
            self._giving_back.start()
            return self._giving_back


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
