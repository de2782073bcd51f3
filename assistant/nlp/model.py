"""Train the model only when its inputs changed.

The hash covers everything training reads (config, domain, training data,
knowledge base, the custom Rasa plug-ins and the locked dependencies). A model
archive that is missing or unreadable is rebuilt instead of crashing later.

Run as ``python -m assistant.nlp.model`` (prints the model path).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Iterable, List

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "assistant.tar.gz"
HASH_FILE = ROOT / "models" / "assistant.sha256"
LOCK_FILE = ROOT / "models" / ".train.lock"
INPUT_GLOBS = (
    "config.yml",
    "domain.yml",
    "data/**/*.yml",
    "assistant/knowledge/*.yml",
    # The plug-ins config.yml names (and what they import), not the rest of the layer.
    "assistant/nlp/intent_classifier.py",
    "assistant/nlp/entity_resolver.py",
    "assistant/nlp/safety_policy.py",
    "assistant/nlp/recent_rule_policy.py",
    "requirements.lock",
)


def training_inputs(root: Path = ROOT) -> List[Path]:
    files = {p for pattern in INPUT_GLOBS for p in root.glob(pattern) if p.is_file()}
    return sorted(files)


def inputs_hash(files: Iterable[Path], root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def model_is_readable(path: Path) -> bool:
    try:
        with tarfile.open(path, "r:gz") as archive:
            return any(name.endswith("metadata.json") for name in archive.getnames())
    except (OSError, tarfile.TarError, EOFError):
        return False


def is_stale(root: Path = ROOT) -> bool:
    if not MODEL.exists() or not HASH_FILE.exists():
        return True
    if HASH_FILE.read_text().strip() != inputs_hash(training_inputs(root), root):
        return True
    return not model_is_readable(MODEL)


def train() -> None:
    MODEL.parent.mkdir(exist_ok=True)
    started = time.monotonic()
    digest = inputs_hash(training_inputs())
    command = [
        str(Path(sys.executable).parent / "rasa"), "train",
        "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
        "--out", "models", "--fixed-model-name", "assistant",
    ]
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    HASH_FILE.write_text(digest + "\n")
    print(f"Trained in {time.monotonic() - started:.0f} s -> {MODEL.relative_to(ROOT)}", file=sys.stderr)


def main() -> int:
    # Two test runs at once (or `make run` beside `make test`) would otherwise
    # both train into the same archive; the second waits and then finds it fresh.
    MODEL.parent.mkdir(exist_ok=True)
    with LOCK_FILE.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return train_if_stale()


def train_if_stale() -> int:
    if MODEL.exists() and not model_is_readable(MODEL):
        print("The model archive is unreadable; training a new one.", file=sys.stderr)
    if is_stale():
        print("Training inputs changed (or no model yet): training the model, about a minute...", file=sys.stderr)
        try:
            train()
        except subprocess.CalledProcessError as err:
            print(f"Training failed (exit {err.returncode}); see the output above.", file=sys.stderr)
            return 1
    else:
        print("Model is up to date.", file=sys.stderr)
    print(MODEL.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
