"""Speakers for tests and the voice evaluation: other people's voices, so
the recogniser is not only ever tested on the assistant's own.

A voice is "engine:name" — espeak-ng's formant voices ("espeak:en-us+f2";
a bare "en-us+f2" means espeak-ng too), flite's voices built from
recordings of people ("flite:slt"), the assistant's Piper voice
("piper:joe") and, for the speech-out comparison only, Festival's HTS voice
("festival:slt_hts"). Each returns WAV bytes.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from assistant.voice.audio import convert

SYNTH_TIMEOUT = 30.0
FESTIVAL_VOICES = {"slt_hts": "voice_cmu_us_slt_arctic_hts"}


class VoiceMissing(RuntimeError):
    pass


def _binary(name: str) -> str:
    binary = shutil.which(name)
    if binary is None:
        raise VoiceMissing(f"{name} is not installed (run `make setup`)")
    return binary


def engine_of(voice: str) -> str:
    return voice.split(":", 1)[0] if ":" in voice else "espeak"


def espeak(text: str, voice: str, speed: int) -> bytes:
    # Text on stdin, not argv: it must not show in `ps`.
    result = subprocess.run(
        [_binary("espeak-ng"), "-v", voice, "-s", str(speed), "--stdout", "--stdin"],
        input=text.encode("utf-8"),
        capture_output=True,
        timeout=SYNTH_TIMEOUT,
    )
    if result.returncode != 0 or not result.stdout:
        raise VoiceMissing(f"espeak-ng failed with code {result.returncode}")
    return convert(["-f", "wav"], result.stdout)  # its streamed header names no length; rewrite it


def flite(text: str, voice: str, speed: int) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "speech.wav"
        # flite speaks about 170 words a minute; stretch its durations to `speed`.
        stretch = f"duration_stretch={170 / speed:.2f}"
        subprocess.run(
            [_binary("flite"), "-voice", voice, "--setf", stretch, "-t", text, "-o", str(out)], check=True, timeout=SYNTH_TIMEOUT
        )
        return out.read_bytes()


def festival(text: str, voice: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "speech.wav"
        subprocess.run(
            [_binary("text2wave"), "-eval", f"({FESTIVAL_VOICES[voice]})", "-o", str(out)],
            input=text.encode("utf-8"),
            check=True,
            capture_output=True,
            timeout=SYNTH_TIMEOUT,
        )
        return out.read_bytes()


def speak_as(text: str, voice: str, speed: int = 150) -> bytes:
    """WAV of `text` said by `voice` at about `speed` words a minute (the
    Piper and Festival voices keep their own pace)."""
    engine, _, name = voice.partition(":") if ":" in voice else ("espeak", "", voice)
    if engine == "espeak":
        return espeak(text, name, speed)
    if engine == "flite":
        return flite(text, name, speed)
    if engine == "piper":
        from assistant.voice.speak import synthesize

        return synthesize(text)
    if engine == "festival":
        return festival(text, name)
    raise ValueError(f"unknown voice {voice!r}")
