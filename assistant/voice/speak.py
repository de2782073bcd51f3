"""Replies read aloud: the reply contract's messages turned into plain
sentences a voice can say, and espeak-ng to say them.

What the eye skips the ear can't: markdown marks, links, emoji and a
"not medical advice" footer full of brackets are cleaned out, buttons become
a spoken choice ("Say better, the same or worse."), and the few Latin names
espeak-ng gets wrong are respelled the way physiotherapists say them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any, Dict, Iterable, List

DEFAULT_VOICE = "en-us+f3"
DEFAULT_SPEED = 150  # words per minute: slower than espeak-ng's 175, easier to follow
SYNTH_TIMEOUT = 20.0

# Respellings for espeak-ng, checked by ear; anything not here it says well.
SAY_AS = {
    "iliocostalis": "illy oh coss tah liss",
    "fasciae": "fash ee ee",
    "latae": "lah tee",
    "femoris": "fem oh riss",
    "thoracis": "tho rah siss",
    "figure-4": "figure four",
    "e.g.": "for example",
    "i.e.": "that is",
}
_SAY_AS = re.compile(r"(?<![\w-])(" + "|".join(re.escape(k) for k in SAY_AS) + r")(?![\w-])", re.IGNORECASE)
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
    return _SAY_AS.sub(lambda m: SAY_AS[m.group(1).lower()], " ".join(sentences))


def spoken_choices(titles: List[str]) -> str:
    """"Say yes, no or not sure." for a list of button titles."""
    words = [plain(t).rstrip(".!?").strip() for t in titles]
    words = [w[:1].lower() + w[1:] if not w[:2].isupper() else w for w in words if w]
    if not words:
        return ""
    if len(words) == 1:
        return f"Say {words[0]}."
    return f"Say {', '.join(words[:-1])} or {words[-1]}."


def speakable(messages: Iterable[Dict[str, Any]]) -> str:
    """All of one turn's replies as one text to read aloud."""
    parts: List[str] = []
    for message in messages:
        if isinstance(message.get("text"), str) and message["text"].strip():
            parts.append(plain(message["text"]))
        buttons = message.get("buttons") or []
        titles = [str(b.get("title")) for b in buttons if isinstance(b, dict) and b.get("title")]
        if titles:
            parts.append(spoken_choices(titles))
    return " ".join(p for p in parts if p)


class SpeechError(RuntimeError):
    pass


def synthesize(text: str, voice: str = DEFAULT_VOICE, speed: int = DEFAULT_SPEED) -> bytes:
    """WAV bytes of `text` read by espeak-ng."""
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise SpeechError("espeak-ng is not installed (run `make setup`)")
    # Text on stdin, not argv: it may be long and must not show in `ps`.
    result = subprocess.run(
        [binary, "-v", voice, "-s", str(speed), "--stdout", "--stdin"],
        input=text.encode("utf-8"),
        capture_output=True,
        timeout=SYNTH_TIMEOUT,
    )
    if result.returncode != 0 or not result.stdout:
        raise SpeechError(f"espeak-ng failed with code {result.returncode}")
    return result.stdout
