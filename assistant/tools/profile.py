"""`make profile`: where a long conversation spends the Rasa server's time.

Starts both servers, attaches py-spy to the Rasa server while one conversation
sends TURNS symptom messages, then writes a flame graph
(results/profile-rasa.svg) and prints the functions with the largest share of
samples, inclusive of what they call. Run it after a change that could make a
turn slower; docs/performance.md says what earlier profiles found.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

import requests
from rich.console import Console
from rich.table import Table

from assistant.tools.bench import SYMPTOMS, post
from assistant.tools.servers import BIN, ROOT, running_assistant


def inclusive_shares(collapsed: str) -> Tuple[int, Dict[str, int]]:
    """Total samples, and per function the samples in which it is on the stack.

    `collapsed` is py-spy's raw format: one line per distinct stack,
    frames separated by ';' from the outermost, then a space and a count.
    """
    total = 0
    shares: Counter[str] = Counter()
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        total += int(count)
        for frame in set(stack.split(";")):
            shares[frame] += int(count)
    return total, dict(shares)


def record(pid: int, out: Path, fmt: str, seconds_limit: int) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "py-spy"), "record", "--pid", str(pid), "--format", fmt, "--output", str(out),
         "--rate", "200", "--duration", str(seconds_limit), "--nonblocking"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def profile(model: Path, turns: int, out_dir: Path, seconds_limit: int = 600) -> Tuple[int, Dict[str, int]]:
    """Record the Rasa server during a `turns`-long conversation; returns the
    inclusive shares and leaves the flame graph in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    raw = out_dir / "profile-rasa.txt"
    with running_assistant(model, env={"RATE_LIMIT_PER_MINUTE": "0"}) as servers:
        session, sender = requests.Session(), f"profile-{uuid.uuid4().hex}"
        pid = servers.processes["rasa"].pid
        # Two recorders of the same run: the raw stacks to rank, the SVG to look at.
        spies = [record(pid, raw, "raw", seconds_limit), record(pid, out_dir / "profile-rasa.svg", "flamegraph", seconds_limit)]
        try:
            for i in range(turns):
                post(session, servers, sender, SYMPTOMS[i % len(SYMPTOMS)])
        finally:
            for spy in spies:
                spy.send_signal(2)  # py-spy writes its output on SIGINT
            errors = [spy.communicate(timeout=60)[1].decode(errors="replace") for spy in spies]
    if not raw.exists():
        raise RuntimeError(f"py-spy wrote no profile: {' '.join(errors)[-2000:]}")
    return inclusive_shares(raw.read_text(encoding="utf-8"))


def top_rows(total: int, shares: Dict[str, int], limit: int, prefix: str) -> List[Tuple[str, float]]:
    """The `limit` functions with the largest share whose file path contains
    `prefix` (e.g. 'rasa/'), as (frame, share of all samples)."""
    chosen = [(frame, n / total) for frame, n in shares.items() if prefix in frame]
    return sorted(chosen, key=lambda row: -row[1])[:limit]


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "assistant.tar.gz")
    parser.add_argument("--turns", type=int, default=100)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--filter", default="rasa/", help="only frames whose file path contains this")
    parser.add_argument("--out", type=Path, default=ROOT / "results")
    args = parser.parse_args(argv)
    total, shares = profile(args.model, args.turns, args.out)
    table = Table(title=f"Rasa server, {args.turns}-turn conversation: {total} samples")
    table.add_column("share", justify="right")
    table.add_column("function (file:line)")
    for frame, share in top_rows(total, shares, args.top, args.filter):
        table.add_row(f"{share:.0%}", frame)
    Console().print(table)
    print(f"Flame graph: {args.out / 'profile-rasa.svg'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
