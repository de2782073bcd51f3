"""Audio conversions with ffmpeg: whatever people send (WAV, OGG/Opus from
Telegram, WebM/Opus from browsers, any sample rate) to the 16 kHz mono
16-bit PCM the recogniser wants, and our WAV replies to MP3 or OGG/Opus."""

from __future__ import annotations

import shutil
import subprocess

SAMPLE_RATE = 16000
MAX_SECONDS = 60  # a longer message is cut; nobody describes a pain for a minute
FFMPEG_TIMEOUT = 20.0


class AudioError(ValueError):
    """The bytes are not audio ffmpeg can read, or ffmpeg is missing."""


def convert(args: list[str], data: bytes) -> bytes:
    """ffmpeg reading `data` from stdin, writing the output `args` describe to stdout."""
    binary = shutil.which("ffmpeg")
    if binary is None:
        raise AudioError("ffmpeg is not installed (run `make setup`)")
    try:
        result = subprocess.run(
            [binary, "-nostdin", "-hide_banner", "-loglevel", "error", "-i", "pipe:0", *args, "pipe:1"],
            input=data,
            capture_output=True,
            timeout=FFMPEG_TIMEOUT,
        )
    except subprocess.TimeoutExpired as error:
        raise AudioError("converting the audio took too long") from error
    if result.returncode != 0:
        # ffmpeg's message names the container or codec problem, never content.
        reason = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["unknown error"]
        raise AudioError(f"not audio ffmpeg can read: {reason[0][:200]}")
    return result.stdout


def to_pcm16k(data: bytes) -> bytes:
    """Raw little-endian 16-bit mono samples at 16 kHz."""
    if not data:
        raise AudioError("no audio")
    return convert(["-t", str(MAX_SECONDS), "-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "s16le", "-acodec", "pcm_s16le"], data)


# Reply audio formats: ffmpeg output arguments and the content type. MP3 for
# browsers and apps (a minute of speech is ~350 kB instead of 2.6 MB of WAV),
# OGG/Opus for Telegram voice notes, WAV untouched.
ENCODINGS = {
    "mp3": (["-ac", "1", "-c:a", "libmp3lame", "-b:a", "48k", "-f", "mp3"], "audio/mpeg"),
    "ogg": (["-ac", "1", "-c:a", "libopus", "-b:a", "24k", "-f", "ogg"], "audio/ogg"),
    "wav": ([], "audio/wav"),
}


def encode_reply(wav: bytes, kind: str) -> bytes:
    args, _ = ENCODINGS[kind]
    return convert(args, wav) if args and wav else wav


def pcm_seconds(pcm: bytes) -> float:
    return len(pcm) / 2 / SAMPLE_RATE
