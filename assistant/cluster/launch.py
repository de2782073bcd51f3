"""`make cluster` / `make cluster-stop`: production mode on this machine.

Starts the action servers, the Rasa servers (deploy/endpoints.cluster.yml:
PostgreSQL tracker store, Redis lock store, RabbitMQ event broker), the
usage-statistics consumer and nginx in front, waits until every one
answers, and records their process ids in run/cluster/cluster.json so that
`down` stops exactly those processes and nothing else.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List

from assistant.cluster import nginx, services
from assistant.cluster.settings import ClusterSettings
from assistant.tools.servers import BIN, RASA_START_TIMEOUT, ROOT, Servers, StartupError, base_env, free_port, wait_until

MODEL = ROOT / "models" / "assistant.tar.gz"
RUN_DIR = ROOT / "run" / "cluster"
ENDPOINTS = "deploy/endpoints.cluster.yml"


def nginx_binary() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if not found:
        raise StartupError("nginx is not installed (make setup installs it with the system packages).")
    return found


@dataclass
class Cluster:
    settings: ClusterSettings
    run_dir: Path
    model: Path = MODEL
    rasa_ports: List[int] = field(default_factory=list)
    action_ports: List[int] = field(default_factory=list)
    actions_proxy_port: int = 0
    servers: Servers = field(init=False)

    def __post_init__(self) -> None:
        self.rasa_ports = self.rasa_ports or [free_port() for _ in range(self.settings.rasa_servers)]
        self.action_ports = self.action_ports or [free_port() for _ in range(self.settings.action_servers)]
        self.actions_proxy_port = self.actions_proxy_port or free_port()
        env = base_env({**self.settings.env(), "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.actions_proxy_port}/webhook"})
        self.servers = Servers(
            rasa_port=self.settings.port, action_port=self.actions_proxy_port, token=secrets.token_urlsafe(16),
            log_dir=self.run_dir / "logs", env=env, model=self.model.resolve(),
        )

    @property
    def url(self) -> str:
        return self.settings.url

    def rasa_servers(self) -> Dict[str, int]:
        """Process name -> port of each Rasa server."""
        return {f"rasa-{i + 1}": port for i, port in enumerate(self.rasa_ports)}

    def action_servers(self) -> Dict[str, int]:
        return {f"actions-{i + 1}": port for i, port in enumerate(self.action_ports)}

    def write_nginx_config(self) -> Path:
        (self.run_dir / "tmp").mkdir(parents=True, exist_ok=True)
        config = self.run_dir / "nginx.conf"
        config.write_text(
            nginx.render(
                rasa=[f"127.0.0.1:{port}" for port in self.rasa_ports],
                actions=[f"127.0.0.1:{port}" for port in self.action_ports],
                listen=f"127.0.0.1:{self.settings.port}",
                actions_listen=f"127.0.0.1:{self.actions_proxy_port}",
                run_dir=self.run_dir,
            )
        )
        return config

    def start(self) -> None:
        """Everything up and answering, or StartupError (and nothing left running)."""
        services.prepare(self.settings)
        self.servers.log_dir.mkdir(parents=True, exist_ok=True)
        config = self.write_nginx_config()
        try:
            for name, port in self.action_servers().items():
                self.servers.spawn(name, Servers.actions_command(port))
            self.servers.spawn("nginx", [nginx_binary(), "-p", str(self.run_dir), "-c", str(config),
                                         "-e", str(self.run_dir / "error.log"), "-g", "daemon off;"])
            self.servers.spawn("stats", [str(BIN / "python"), "-m", "assistant.cluster.stats", "consume"])
            # The Rasa servers load their models side by side.
            for name, port in self.rasa_servers().items():
                self.servers.spawn(name, self.servers.rasa_command(port, enable_api=False, endpoints=ENDPOINTS))
            for name, port in self.action_servers().items():
                self.wait(name, f"http://127.0.0.1:{port}/health", 60)
            for name, port in self.rasa_servers().items():
                self.wait(name, f"http://127.0.0.1:{port}/", RASA_START_TIMEOUT)
            self.wait("nginx", f"{self.url}/webhooks/rest/", 10)
            self.wait("nginx", f"http://127.0.0.1:{self.actions_proxy_port}/health", 10)
            # The statistics consumer answers no requests: it must at least still be running.
            stopped = [name for name, process in self.servers.processes.items() if process.poll() is not None]
            if stopped:
                raise StartupError(f"{', '.join(stopped)} stopped during start-up (logs: {self.servers.log_dir})")
        except BaseException:
            self.servers.stop_all()
            raise

    def wait(self, name: str, url: str, timeout: float) -> None:
        wait_until(url, self.servers.processes[name], self.servers.log(name), timeout=timeout)

    def kill(self, name: str) -> None:
        """Crash one process (SIGKILL, no goodbye), as a fault would."""
        process = self.servers.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def restart(self, name: str) -> None:
        """Start a Rasa or action server again on its port after `kill`,
        and wait until it answers."""
        rasa, actions = self.rasa_servers(), self.action_servers()
        if name in rasa:
            self.servers.spawn(name, self.servers.rasa_command(rasa[name], enable_api=False, endpoints=ENDPOINTS))
            self.wait(name, f"http://127.0.0.1:{rasa[name]}/", RASA_START_TIMEOUT)
        elif name in actions:
            self.servers.spawn(name, Servers.actions_command(actions[name]))
            self.wait(name, f"http://127.0.0.1:{actions[name]}/health", 60)
        else:
            raise KeyError(name)

    def access_log_size(self) -> int:
        return (self.run_dir / "access.log").stat().st_size

    def rest_upstreams(self, since: int) -> List[str]:
        """The upstream address field of REST messages in nginx's access log
        from byte `since` on ("a, b" when the first server failed)."""
        lines = (self.run_dir / "access.log").read_bytes()[since:].decode().splitlines()
        found = (re.search(r"upstream=\[([^\]]*)\]", line) for line in lines if " /webhooks/rest/webhook " in line)
        return [match.group(1) for match in found if match]

    def state(self) -> Dict[str, object]:
        return {
            "url": self.url,
            "processes": {name: {"pid": p.pid, "started_at": started_at(p.pid)} for name, p in self.servers.processes.items()},
        }


@contextlib.contextmanager
def running_cluster(settings: ClusterSettings, run_dir: Path, model: Path = MODEL) -> Iterator[Cluster]:
    cluster = Cluster(settings, run_dir, model)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.servers.stop_all()


def started_at(pid: int) -> str | None:
    """When process `pid` started (clock ticks since boot), None if it is
    gone (or a zombie): with the pid it names one process, even after the
    pid is reused."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else fields[19]


def recorded_processes(run_dir: Path) -> Dict[str, int]:
    """Processes named in the state file that are still the ones we started."""
    state_file = run_dir / "cluster.json"
    if not state_file.exists():
        return {}
    processes = json.loads(state_file.read_text())["processes"]
    return {name: p["pid"] for name, p in processes.items() if started_at(p["pid"]) == p["started_at"]}


def stop_recorded(run_dir: Path, grace: float = 15.0) -> List[str]:
    alive = recorded_processes(run_dir)
    for pid in alive.values():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(started_at(pid) for pid in alive.values()):
        time.sleep(0.2)
    for pid in alive.values():
        if started_at(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
    (run_dir / "cluster.json").unlink(missing_ok=True)
    return sorted(alive)


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Start or stop the production-mode cluster on this machine.")
    parser.add_argument("command", choices=["up", "down"])
    args = parser.parse_args(argv)
    if args.command == "down":
        stopped = stop_recorded(RUN_DIR)
        print(f"Stopped: {', '.join(stopped)}." if stopped else "No cluster of ours is running.")
        return 0
    if recorded_processes(RUN_DIR):
        print("A cluster is already running; `make cluster-stop` first.", file=sys.stderr)
        return 1
    settings = ClusterSettings.from_env()
    cluster = Cluster(settings, RUN_DIR)
    print(f"Starting {settings.rasa_servers} Rasa servers and {settings.action_servers} action servers (about a minute)...")
    try:
        cluster.start()
    except (StartupError, services.ServiceDown) as err:
        print(f"Could not start: {err}", file=sys.stderr)
        return 1
    (RUN_DIR / "cluster.json").write_text(json.dumps(cluster.state(), indent=2))
    print(
        "The cluster is ready.\n"
        f"  REST:      POST {cluster.url}/webhooks/rest/webhook  (send X-Conversation-Id: <sender> to keep a conversation on one server)\n"
        f"  web chat:  {cluster.url}/chat\n"
        f"  stats:     make stats\n"
        f"  logs:      {cluster.servers.log_dir.relative_to(ROOT)}/\n"
        "Stop it with `make cluster-stop`."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
