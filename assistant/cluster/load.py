"""A bounded load test over REST: many concurrent conversations of real
messages, each turn waiting for its reply, then a check of every stored
event in PostgreSQL.

Only 127.0.0.1 is accepted as a target, the run stops after the given
number of turns, and nothing but latencies and counts is kept (the texts are
compared in memory, never printed).

    python -m assistant.cluster.load            # `make load`: the cluster, then the embedded mode
    python -m assistant.cluster.load --url http://127.0.0.1:8080 --conversations 200 --turns 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Sequence, Tuple
from urllib.parse import urlparse

import aiohttp
import psycopg2
import yaml
from rich.console import Console
from rich.table import Table

from assistant.channels.guard import ACTIONS_DOWN, SLOW_DOWN
from assistant.cluster.launch import MODEL, running_cluster
from assistant.cluster.services import scratch
from assistant.cluster.settings import ClusterSettings
from assistant.tools.bench import percentile
from assistant.tools.servers import ROOT, free_port, running_assistant

MESSAGES_FILE = ROOT / "tests" / "data" / "eval" / "dev.yml"
# Cases that would end the conversation they are sent in, not realistic mid-load.
_SKIPPED_INTENTS = {"delete_my_data"}


def realistic_messages(path: Path = MESSAGES_FILE) -> List[str]:
    cases = yaml.safe_load(path.read_text())["cases"]
    return [case["text"] for case in cases if case.get("intent") not in _SKIPPED_INTENTS]


@dataclass
class LoadResult:
    conversations: int
    turns: int
    seconds: float = 0.0
    latencies: List[float] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)
    sent: Dict[str, List[str]] = field(default_factory=dict)

    def summary(self) -> Dict[str, Any]:
        done = len(self.latencies)
        return {
            "conversations": self.conversations,
            "turns_per_conversation": self.turns,
            "requests": done,
            "errors": len(self.errors),
            "error_kinds": sorted(set(self.errors)),
            "seconds": round(self.seconds, 1),
            "throughput_per_s": round(done / self.seconds, 1) if self.seconds else 0.0,
            **{f"p{q}_ms": round(percentile(self.latencies, q) * 1000) for q in (50, 95, 99)},
        }


def _error(status: int, replies: Any) -> str | None:
    """Why a reply counts as a failure for the person, or None."""
    if status != 200:
        return f"HTTP {status}"
    if not isinstance(replies, list) or not replies:
        return "no reply"
    texts = {reply.get("text") for reply in replies if isinstance(reply, dict)}
    if ACTIONS_DOWN in texts:
        return "fallback reply (turn too slow or failed)"
    if SLOW_DOWN in texts:
        return "rate limited"
    return None


async def _conversation(
    session: aiohttp.ClientSession, url: str, sender: str, messages: Sequence[str], think: float,
    rng: random.Random, result: LoadResult,
) -> None:
    result.sent[sender] = []
    for text in messages:
        await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
        started = time.monotonic()
        try:
            async with session.post(
                url, json={"sender": sender, "message": text}, headers={"X-Conversation-Id": sender}
            ) as response:
                status, replies = response.status, await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as err:
            status, replies = 0, None
            result.errors.append(type(err).__name__)
        else:
            problem = _error(status, replies)
            if problem:
                result.errors.append(problem)
        result.latencies.append(time.monotonic() - started)
        result.sent[sender].append(text)


async def run_load(
    base_url: str, conversations: int, turns: int, think_seconds: float = 0.0, seed: int = 8,
    messages: Sequence[str] | None = None, during: Callable[[], Any] | None = None,
) -> LoadResult:
    """`conversations` conversations at once, `turns` messages each, a
    random pause of 0.5-1.5x `think_seconds` before each message (people
    read the answer first). `during`, if given, runs alongside in a thread
    (a fault to inject)."""
    if urlparse(base_url).hostname != "127.0.0.1":
        raise ValueError("the load test only targets 127.0.0.1")
    rng = random.Random(seed)
    pool = list(messages or realistic_messages())
    result = LoadResult(conversations, turns)
    url = f"{base_url}/webhooks/rest/webhook"
    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=conversations)
    started = time.monotonic()
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        work = [
            _conversation(session, url, f"load-{uuid.uuid4().hex[:16]}", rng.sample(pool, turns), think_seconds,
                          random.Random(rng.random()), result)
            for _ in range(conversations)
        ]
        if during:
            work.append(asyncio.to_thread(during))
        await asyncio.gather(*work)
    result.seconds = time.monotonic() - started
    return result


def stored_events(settings: ClusterSettings, senders: Iterable[str]) -> Dict[str, List[Dict[str, Any]]]:
    """Every stored event of these conversations, in stored order."""
    events: Dict[str, List[Dict[str, Any]]] = {sender: [] for sender in senders}
    connection = psycopg2.connect(**settings.postgres())
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT sender_id, data FROM events WHERE sender_id = ANY(%s) ORDER BY id", (list(events),)
            )
            for sender, data in cursor:
                events[sender].append(json.loads(data))
    finally:
        connection.close()
    return events


def turn_problems(sent: Sequence[str], events: Sequence[Dict[str, Any]], ordered: bool = True) -> List[str]:
    """What is wrong with a conversation's stored events, given what was
    sent: each message stored once (in the order sent, if `ordered`), each
    answered before the next one starts, nothing of another turn in between,
    and no event (same content, same time) stored twice."""
    stored = [str(e.get("text") or "") for e in events if e.get("event") == "user"]
    problems = []
    stamped = [json.dumps(e, sort_keys=True) for e in events if e.get("timestamp") is not None]
    if len(set(stamped)) != len(stamped):
        problems.append("an event stored twice")
    if (stored if ordered else sorted(stored)) != (list(sent) if ordered else sorted(sent)):
        problems.append(f"{len(sent)} messages sent, {len(stored)} stored, or not in order")
    turn: List[Dict[str, Any]] = []
    for event in [*events, {"event": "user"}]:
        if event.get("event") == "user" and turn:
            if not any(e.get("event") == "bot" for e in turn):
                problems.append("a turn without a reply")
            if turn[-1].get("event") != "action" or turn[-1].get("name") != "action_listen":
                problems.append("a turn that did not end by listening (interleaved turns)")
            turn = []
        if event.get("event") == "user" or turn:
            turn.append(event)
    return problems


def lost_and_duplicated(sent: Sequence[str], events: Sequence[Dict[str, Any]]) -> Tuple[int, int]:
    """How many messages sent were not stored, and how many were stored more
    often than sent (an event stored twice counts as a duplicate too)."""
    wanted: Counter[str | None] = Counter(sent)
    stored = Counter(e.get("text") for e in events if e.get("event") == "user")
    stamped = Counter(json.dumps(e, sort_keys=True) for e in events if e.get("timestamp") is not None)
    twice = sum(count - 1 for count in stamped.values())
    return sum((wanted - stored).values()), sum((stored - wanted).values()) + twice


def check_stored(settings: ClusterSettings, result: LoadResult) -> Dict[str, List[str]]:
    """Conversations whose stored events don't match what was sent."""
    events = stored_events(settings, result.sent)
    found = {sender: turn_problems(sent, events[sender]) for sender, sent in result.sent.items()}
    return {sender: problems for sender, problems in found.items() if problems}


# Peak throughput: a few conversations writing without pause, so the servers
# never wait for work (more at once only lengthens the queue).
PEAK = (40, 5, 0.0)


def measure(url: str, mode: str, profile: Tuple[int, int, float]) -> Tuple[LoadResult, Dict[str, Any]]:
    result = asyncio.run(run_load(url, *profile))
    return result, {"mode": mode, "think_seconds": profile[2], **result.summary()}


def measure_cluster(profile: Tuple[int, int, float]) -> List[Dict[str, Any]]:
    """Start the cluster on scratch data, load it (and check every stored
    event), then measure its peak throughput."""
    with scratch(ClusterSettings.from_env(port=free_port()), "tp_load") as settings, \
            tempfile.TemporaryDirectory(prefix="cluster-") as run_dir, \
            running_cluster(settings, Path(run_dir)) as cluster:
        mode = f"cluster ({settings.rasa_servers} Rasa servers)"
        result, figures = measure(cluster.url, mode, profile)
        figures["conversations_with_wrong_events"] = len(check_stored(settings, result))
        return [figures, measure(cluster.url, f"{mode}, peak", PEAK)[1]]


def measure_embedded(profile: Tuple[int, int, float]) -> List[Dict[str, Any]]:
    """`make run`'s single server (SQLite, in-memory lock store)."""
    with running_assistant(MODEL, enable_api=False) as servers:
        mode = "embedded (1 Rasa server)"
        return [measure(servers.rasa_url, mode, profile)[1], measure(servers.rasa_url, f"{mode}, peak", PEAK)[1]]


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="load this running assistant only (default: start the cluster, then the embedded mode)")
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--think", type=float, default=14.0, help="mean pause before each message, seconds")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "load.json")
    args = parser.parse_args(argv)
    profile = (args.conversations, args.turns, args.think)
    if args.url:
        figures = [measure(args.url, args.url, profile)[1]]
    else:
        figures = measure_cluster(profile) + measure_embedded(profile)
        args.out.parent.mkdir(exist_ok=True)
        args.out.write_text(json.dumps(figures, indent=2) + "\n")
    table = Table(title="Load over REST (peak: 40 conversations x 5 turns without pauses)")
    columns = ("mode", "conversations", "think_seconds", "requests", "errors", "seconds", "throughput_per_s",
               "p50_ms", "p95_ms", "p99_ms")
    for column in columns:
        table.add_column(column.replace("_", " "), justify="right")
    for run in figures:
        table.add_row(*(str(run[column]) for column in columns))
    Console().print(table)
    return 0 if not any(run.get("conversations_with_wrong_events") for run in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
