"""Failover under load, once (the cluster test) or many times (`make fault-soak`).

One run: 40 conversations of 10 real messages through nginx, a pause of
3-9 s before each message; 15 s in, `rasa-1` and `actions-1` are killed with
SIGKILL. Afterwards every stored event of every conversation is compared
with what was sent: a message not stored is lost, a message stored more
often than sent (or an event stored twice) is a duplicate.

The soak starts one cluster on scratch data, repeats the run, starts the
killed servers again between runs, and reports every run. It stops by
itself: after `--runs` runs or `--max-minutes`, whichever comes first, and
targets 127.0.0.1 only.

    python -m assistant.cluster.faults --runs 20     # `make fault-soak`
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

from rich.console import Console
from rich.table import Table

from assistant.cluster.launch import MODEL, Cluster, running_cluster
from assistant.cluster.load import lost_and_duplicated, run_load, stored_events, turn_problems
from assistant.cluster.services import scratch
from assistant.cluster.settings import ClusterSettings
from assistant.tools.servers import ROOT, free_port

KILLED = ("rasa-1", "actions-1")
CONVERSATIONS, TURNS, THINK_SECONDS, KILL_AFTER_SECONDS = 40, 10, 6.0, 15.0
# Lines of the Rasa servers' logs that tell of a lock given up mid-turn.
LOCK_WARNINGS = ("lease", "LockError")


def log_sizes(cluster: Cluster) -> Dict[Path, int]:
    return {path: path.stat().st_size for path in cluster.servers.log_dir.glob("rasa-*.log")}


def lock_warnings(cluster: Cluster, since: Dict[Path, int]) -> int:
    """Log lines about lost leases or lock errors written since `since`."""
    count = 0
    for path in cluster.servers.log_dir.glob("rasa-*.log"):
        text = path.read_bytes()[since.get(path, 0):].decode(errors="replace")
        count += sum(1 for line in text.splitlines() if any(word in line for word in LOCK_WARNINGS))
    return count


def failover_run(
    cluster: Cluster, settings: ClusterSettings, seed: int = 81, conversations: int = CONVERSATIONS,
    think_seconds: float = THINK_SECONDS,
) -> Dict[str, Any]:
    """Kill a Rasa server and an action server mid-load; what the people saw
    and what was stored."""
    start, logs = cluster.access_log_size(), log_sizes(cluster)

    def crash() -> None:
        time.sleep(KILL_AFTER_SECONDS)
        for name in KILLED:
            cluster.kill(name)

    result = asyncio.run(run_load(cluster.url, conversations, TURNS, think_seconds, seed=seed, during=crash))
    events = stored_events(settings, result.sent)
    lost = duplicated = 0
    wrong: Dict[str, List[str]] = {}
    for sender, sent in result.sent.items():
        missing, extra = lost_and_duplicated(sent, events[sender])
        lost, duplicated = lost + missing, duplicated + extra
        problems = turn_problems(sent, events[sender])
        if problems:
            wrong[sender] = problems
    return {
        "seed": seed,
        "killed": list(KILLED),
        "retried_by_proxy": sum(1 for upstreams in cluster.rest_upstreams(start) if "," in upstreams),
        **result.summary(),
        "lost": lost,
        "duplicated": duplicated,
        "conversations_with_wrong_events": len(wrong),
        "problems": sorted({problem for found in wrong.values() for problem in found}),
        "lock_warnings": lock_warnings(cluster, logs),
        # What went wrong, without a word anyone wrote: match message ids with
        # the `id=` of nginx's access log.
        "wrong_conversations": [outline(events[sender]) for sender in wrong],
    }


def outline(events: List[Dict[str, Any]]) -> List[str]:
    """A conversation's stored events without their text."""
    lines = []
    for event in events:
        kind = event.get("event")
        detail = event.get("name") or event.get("message_id") or ""
        lines.append(f"{event.get('timestamp', 0):.3f} {kind} {detail}".strip())
    return lines


def soak(
    runs: int, max_minutes: float, console: Console, conversations: int = CONVERSATIONS, think_seconds: float = THINK_SECONDS,
) -> List[Dict[str, Any]]:
    deadline = time.monotonic() + 60 * max_minutes
    done: List[Dict[str, Any]] = []
    with scratch(ClusterSettings.from_env(port=free_port()), "tp_fault_soak") as settings, \
            tempfile.TemporaryDirectory(prefix="cluster-") as run_dir, \
            running_cluster(settings, Path(run_dir), MODEL) as cluster:
        for number in range(1, runs + 1):
            if time.monotonic() > deadline:
                console.print(f"Time is up after {len(done)} runs.")
                break
            figures = failover_run(cluster, settings, 80 + number, conversations, think_seconds)
            done.append({"run": number, **figures})
            console.print(
                f"run {number}: {figures['requests']} answered, {figures['errors']} errors, "
                f"{figures['retried_by_proxy']} resent, {figures['lost']} lost, {figures['duplicated']} duplicated"
            )
            for name in KILLED:
                cluster.restart(name)
    return done


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--max-minutes", type=float, default=100.0, help="stop starting new runs after this long")
    parser.add_argument("--conversations", type=int, default=CONVERSATIONS, help="a heavier or lighter load than the test's")
    parser.add_argument("--think", type=float, default=THINK_SECONDS, help="mean pause before each message, seconds")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "fault-soak.json")
    args = parser.parse_args(argv)
    console = Console()
    runs = soak(args.runs, args.max_minutes, console, args.conversations, args.think)
    summary = {
        "runs": len(runs),
        "runs_with_losses": sum(1 for run in runs if run["lost"]),
        "runs_with_duplicates": sum(1 for run in runs if run["duplicated"]),
        "runs_with_errors": sum(1 for run in runs if run["errors"]),
        "lost": sum(run["lost"] for run in runs),
        "duplicated": sum(run["duplicated"] for run in runs),
        "requests": sum(run["requests"] for run in runs),
        "retried_by_proxy": sum(run["retried_by_proxy"] for run in runs),
    }
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps({"summary": summary, "runs": runs}, indent=2) + "\n")
    table = Table(title=f"Failover soak: kill {' and '.join(KILLED)} mid-load, {args.conversations} conversations x {TURNS} turns")
    columns = ("run", "requests", "errors", "retried_by_proxy", "lost", "duplicated", "lock_warnings", "p50_ms", "p99_ms")
    for column in columns:
        table.add_column(column.replace("_", " "), justify="right")
    for run in runs:
        table.add_row(*(str(run[column]) for column in columns))
    console.print(table)
    console.print(
        f"{summary['runs']} runs: {summary['runs_with_losses']} lost something, "
        f"{summary['runs_with_duplicates']} duplicated something, {summary['runs_with_errors']} showed an error "
        f"({summary['lost']} messages lost, {summary['duplicated']} duplicated, {summary['requests']} answered)."
    )
    complete = summary["runs"] == args.runs
    clean = not (summary["lost"] or summary["duplicated"] or summary["runs_with_errors"])
    return 0 if complete and clean else 1


if __name__ == "__main__":
    sys.exit(main())
