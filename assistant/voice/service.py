"""Hearing and speaking, for every channel that carries voice: audio in any
format to a transcript, a turn's replies to WAV. Blocking calls (ffmpeg,
pocketsphinx, espeak-ng): async channels run them in an executor."""

from __future__ import annotations

import threading

from assistant.voice.audio import encode_reply, to_pcm16k
from assistant.voice.recognize import Recognizer, Transcript
from assistant.voice.speak import DEFAULT_SPEED, DEFAULT_VOICE, speakable, synthesize

MAX_AUDIO_BYTES = 10 * 1024 * 1024


class VoiceService:
    def __init__(self, voice: str = DEFAULT_VOICE, speed: int = DEFAULT_SPEED) -> None:
        self.voice, self.speed = voice or DEFAULT_VOICE, speed
        self._recognizer: Recognizer | None = None
        self._loading = threading.Lock()

    @property
    def recognizer(self) -> Recognizer:
        # Loaded on first use, once, so a server without voice traffic pays nothing.
        with self._loading:
            if self._recognizer is None:
                self._recognizer = Recognizer()
            return self._recognizer

    def hear(self, audio: bytes) -> Transcript:
        """Raises AudioError when `audio` is not audio."""
        return self.recognizer.transcribe(to_pcm16k(audio))

    def say(self, messages: list, kind: str = "mp3") -> bytes:
        """A turn's replies read aloud, encoded as `kind` (see ENCODINGS);
        empty when there is nothing to say."""
        text = speakable(messages)
        return encode_reply(synthesize(text, self.voice, self.speed), kind) if text else b""


_shared: VoiceService | None = None


def shared_service() -> VoiceService:
    """One recogniser per process, whichever channels carry voice."""
    global _shared
    if _shared is None:
        _shared = VoiceService()
    return _shared
