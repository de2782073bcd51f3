"""Start the action server and the Rasa server as child processes.

Used by `make run`, the tests, the evaluation and the benchmark, so that
every one of them talks to the real servers the same way. Binds to
127.0.0.1 unless told otherwise. No Rasa imports: they are separate processes.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List

import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


RASA_START_TIMEOUT = 180  # seconds; start-up takes ~7 s, far longer on a busy machine


class StartupError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(extra: Dict[str, str] | None = None) -> Dict[str, str]:
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONPATH": str(ROOT),
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }
    env.setdefault("TRACKER_DIALECT", "sqlite")
    env.setdefault("TRACKER_HOST", "")
    env.setdefault("TRACKER_DB", str(ROOT / "conversations.db"))
    env.setdefault("TRACKER_USER", "")
    env.setdefault("TRACKER_PASSWORD", "")
    env.setdefault("ACTION_TIMEOUT_SECONDS", "4")
    env.setdefault("CORS_ORIGINS", "")  # empty: only pages served by the assistant itself
    env.setdefault("RATE_LIMIT_PER_MINUTE", "30")
    env.setdefault("TELEGRAM_TOKEN", "")  # empty: the Telegram webhook answers 503
    env.setdefault("TELEGRAM_SECRET_TOKEN", "")
    env.setdefault("TELEGRAM_WEBHOOK_URL", "")
    env.setdefault("TELEGRAM_API_BASE", "")  # empty: https://api.telegram.org/bot
    env.setdefault("TWILIO_AUTH_TOKEN", "")  # empty: the phone webhook answers 503
    env.setdefault("TWILIO_WEBHOOK_URL", "")  # empty: the URL the request arrived at
    env.update(extra or {})
    return env


@dataclass
class Servers:
    rasa_port: int
    action_port: int
    token: str
    log_dir: Path
    env: Dict[str, str]
    model: Path
    host: str = "127.0.0.1"
    workdir: Path = ROOT
    credentials: str = "credentials.yml"
    layer: bool = True  # False for an assistant that is not this one (the bench's stock `rasa init`)
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"

    def spawn(self, name: str, command: List[str]) -> subprocess.Popen:
        """Start `command` in its own process group, its output in <log_dir>/<name>.log."""
        log = (self.log_dir / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            command, cwd=self.workdir, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self.processes[name]

    def log(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    @staticmethod
    def actions_command(port: int) -> List[str]:
        return [str(BIN / "python"), "-m", "assistant.tools.action_server", "--actions", "actions", "--port", str(port)]

    def rasa_command(self, port: int, enable_api: bool = True, endpoints: str = "endpoints.yml") -> List[str]:
        # Rasa's own command with the assistant's layer installed first
        # (assistant/nlp/layer.py), whatever the credentials list.
        rasa = [str(BIN / "python"), "-m", "assistant.nlp.rasa_command"] if self.layer else [str(BIN / "rasa")]
        command = [
            *rasa, "run", "--model", str(self.model), "--port", str(port), "--interface", self.host,
            "--endpoints", endpoints, "--credentials", self.credentials,
        ]
        origins = [o.strip() for o in self.env["CORS_ORIGINS"].split(",") if o.strip()]
        if origins:
            command += ["--cors", *origins]
        if enable_api:
            # "=" because a token may start with "-", which argparse would read as an option.
            command += ["--enable-api", f"--auth-token={self.token}"]
        # DEBUG logs contain what people wrote: only when asked for, never by default.
        if self.env.get("DEBUG_LOGS", "").lower() in ("1", "true", "yes"):
            command.append("--debug")
        return command

    def start_actions(self, wait: bool = True) -> None:
        self.spawn("actions", self.actions_command(self.action_port))
        if wait:
            self.wait_for_actions()

    def wait_for_actions(self) -> None:
        wait_until(f"{self.action_url}/health", self.processes["actions"], self.log("actions"), timeout=60)

    def start_rasa(self, enable_api: bool = True) -> None:
        self.spawn("rasa", self.rasa_command(self.rasa_port, enable_api))
        wait_until(f"{self.rasa_url}/", self.processes["rasa"], self.log("rasa"), timeout=RASA_START_TIMEOUT)

    def start_both(self, enable_api: bool = True) -> None:
        """Both servers loading at once: neither needs the other to start."""
        self.start_actions(wait=False)
        self.start_rasa(enable_api)
        self.wait_for_actions()

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes)[::-1]:
            self.stop(name)


def wait_until(url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise StartupError(f"process exited with code {process.returncode} before {url} answered:\n{tail}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise StartupError(f"{url} did not answer within {timeout:.0f} s (log: {log})")


@contextlib.contextmanager
def running_assistant(
    model: Path,
    rasa_port: int | None = None,
    action_port: int | None = None,
    env: Dict[str, str] | None = None,
    log_dir: Path | None = None,
    enable_api: bool = True,
    credentials: str = "credentials.yml",
) -> Iterator[Servers]:
    """Both servers up for the duration of the block, on a fresh SQLite store
    unless `env` says otherwise."""
    with tempfile.TemporaryDirectory(prefix="assistant-") as tmp:
        action_port = action_port or free_port()
        extra = {"TRACKER_DB": str(Path(tmp) / "conversations.db"), "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook"}
        servers = Servers(
            rasa_port=rasa_port or free_port(),
            action_port=action_port,
            token=secrets.token_urlsafe(16),
            log_dir=Path(log_dir or tmp),
            env=base_env({**extra, **(env or {})}),
            model=Path(model).resolve(),
            credentials=credentials,
        )
        servers.log_dir.mkdir(parents=True, exist_ok=True)
        try:
            servers.start_both(enable_api=enable_api)
            yield servers
        finally:
            servers.stop_all()
