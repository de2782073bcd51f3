"""Audio conversions: whatever people send (WAV, OGG/Opus from Telegram,
WebM/Opus from browsers, MP3, any sample rate) to the 16 kHz mono 16-bit PCM
the recogniser wants, and our WAV replies to MP3 or OGG/Opus.

A turn's conversions run in the server process with PyAV (FFmpeg's
libraries, in the wheel faster-whisper already depends on): starting the
ffmpeg program costs about 90 ms a time on this kind of machine, twice a
turn (docs/performance.md). `convert` runs the ffmpeg program itself, for
the tools that make test recordings.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from typing import cast

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


def _samples(frames) -> bytes:
    """Mono 16-bit frames' samples (a plane's buffer may be padded)."""
    return b"".join(bytes(f.planes[0])[: f.samples * 2] for f in frames)


def to_pcm16k(data: bytes) -> bytes:
    """Raw little-endian 16-bit mono samples at 16 kHz, the first
    MAX_SECONDS of the first audio stream."""
    import av

    if not data:
        raise AudioError("no audio")
    limit = MAX_SECONDS * SAMPLE_RATE * 2
    out = bytearray()
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            stream = next((s for s in container.streams if s.type == "audio"), None)
            if stream is None:
                raise AudioError("not audio ffmpeg can read: no audio stream")
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            for frame in container.decode(stream):
                frame.pts = None  # a stream with gaps or odd timestamps is read as it comes
                out += _samples(resampler.resample(cast(av.AudioFrame, frame)))
                if len(out) >= limit:
                    break
            out += _samples(resampler.resample(None))
    except AudioError:
        raise
    except (av.FFmpegError, ValueError, OSError) as error:
        # FFmpeg's message names the container or codec problem, never content.
        raise AudioError(f"not audio ffmpeg can read: {str(error)[:200]}") from error
    if not out:
        raise AudioError("not audio ffmpeg can read: no samples")
    return bytes(out[:limit])


# Reply audio formats: (container, codec, bit rate, codec sample rate, codec
# options) and the content type. MP3 for browsers and apps (a minute of
# speech is ~350 kB instead of 2.6 MB of WAV), OGG/Opus for Telegram voice
# notes, WAV untouched. LAME's quality 7 (of 0-9) encodes a 7-second reply in
# about 33 ms instead of 84 at its default, the same size at 48 kbit/s.
ENCODINGS = {
    "mp3": (("mp3", "libmp3lame", 48_000, None, {"compression_level": "7"}), "audio/mpeg"),
    "ogg": (("ogg", "libopus", 24_000, 48_000, {}), "audio/ogg"),
    "wav": (None, "audio/wav"),
}


def encode_reply(wav: bytes, kind: str) -> bytes:
    """Our WAV reply (mono, 16-bit) as `kind`."""
    import av
    import numpy as np

    how, _ = ENCODINGS[kind]
    if how is None or not wav:
        return wav
    container_format, codec, bit_rate, codec_rate, options = how
    with wave.open(io.BytesIO(wav)) as f:
        rate, channels, pcm = f.getframerate(), f.getnchannels(), f.readframes(f.getnframes())
    samples = np.frombuffer(pcm, dtype="<i2").reshape(1, -1)
    frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="stereo" if channels == 2 else "mono")
    frame.sample_rate = rate
    out = io.BytesIO()
    with av.open(out, mode="w", format=container_format) as container:
        stream = cast(av.audio.stream.AudioStream, container.add_stream(codec, rate=codec_rate or rate, layout="mono", options=dict(options)))
        stream.bit_rate = bit_rate
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out.getvalue()


def pcm_seconds(pcm: bytes) -> float:
    return len(pcm) / 2 / SAMPLE_RATE
