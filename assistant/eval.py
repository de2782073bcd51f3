"""`make eval CASES=file.yml`: accuracy of the assistant on written cases.

Each case has `text` and one of `expect_any` (muscle ids, any of them in the
top 3 is a hit), `red_flag` (true/false) or `intent`. By default the cases run
through the trained model and the real actions over REST; `--engine` runs the
pure core alone (text -> features -> ranking, triage), which has no intents.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List

import requests
import yaml
from rich.console import Console
from rich.table import Table

Outcome = Dict[str, Any]  # {"muscles": [...ids best first], "red_flag": bool, "intent": str|None}


@dataclass
class Summary:
    cases: int = 0
    symptom_cases: int = 0
    top1_hits: int = 0
    top3_hits: int = 0
    red_flag_cases: int = 0
    red_flags_caught: int = 0
    benign_cases: int = 0
    false_alarms: int = 0
    intent_cases: int = 0
    intents_right: int = 0
    failures: List[dict] = field(default_factory=list)

    def figures(self) -> Dict[str, float | None]:
        def ratio(a: int, b: int) -> float | None:
            return round(a / b, 4) if b else None

        return {
            "cases": self.cases,
            "top1": ratio(self.top1_hits, self.symptom_cases),
            "top3": ratio(self.top3_hits, self.symptom_cases),
            "red_flag_recall": ratio(self.red_flags_caught, self.red_flag_cases),
            "red_flag_false_alarm_rate": ratio(self.false_alarms, self.benign_cases),
            "intent_accuracy": ratio(self.intents_right, self.intent_cases),
        }


def load_cases(path: Path) -> List[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = data.get("cases") if isinstance(data, dict) else data
    if not isinstance(cases, list):
        raise ValueError(f"{path}: expected a list under 'cases'")
    for i, case in enumerate(cases, 1):
        if not isinstance(case, dict) or not isinstance(case.get("text"), str):
            raise ValueError(f"{path}: case {i} needs a 'text' string")
        if not any(k in case for k in ("expect_any", "red_flag", "intent")):
            raise ValueError(f"{path}: case {i} needs one of expect_any, red_flag, intent")
    return cases


def score(cases: List[dict], run: Callable[[dict], Outcome], with_intents: bool) -> Summary:
    summary = Summary()
    for case in cases:
        outcome = run(case)
        summary.cases += 1
        flagged = bool(outcome.get("red_flag"))
        if "expect_any" in case:
            summary.symptom_cases += 1
            summary.benign_cases += 1
            summary.false_alarms += flagged
            muscles = list(outcome.get("muscles") or [])
            expected = set(case["expect_any"])
            summary.top1_hits += bool(muscles[:1] and muscles[0] in expected)
            hit = bool(expected & set(muscles[:3]))
            summary.top3_hits += hit
            if not hit:
                summary.failures.append(
                    {"text": case["text"], "expected": sorted(expected), "got": muscles[:3], "red_flag": flagged}
                )
        elif "red_flag" in case:
            if case["red_flag"]:
                summary.red_flag_cases += 1
                summary.red_flags_caught += flagged
            else:
                summary.benign_cases += 1
                summary.false_alarms += flagged
            if flagged != bool(case["red_flag"]):
                summary.failures.append({"text": case["text"], "expected_red_flag": case["red_flag"]})
        elif "intent" in case and with_intents:
            summary.intent_cases += 1
            right = outcome.get("intent") == case["intent"]
            summary.intents_right += right
            if not right:
                summary.failures.append({"text": case["text"], "expected_intent": case["intent"], "got": outcome.get("intent")})
    return summary


def engine_runner() -> Callable[[dict], Outcome]:
    from assistant.matching import default_matcher
    from assistant.understand import features, triage

    def run(case: dict) -> Outcome:
        text = case["text"]
        if triage(text).flagged:
            return {"red_flag": True, "muscles": []}
        result = default_matcher().rank(features(text))
        return {"red_flag": False, "muscles": [s.muscle_id for s in result.suggestions]}

    return run


def outcome_of(replies: List[dict]) -> Outcome:
    """What a turn's replies suggested: muscle ids best first, or a red flag."""
    outcome: Outcome = {"red_flag": False, "muscles": []}
    for reply in replies:
        custom = reply.get("custom") or {}
        if custom.get("type") == "red_flag":
            outcome["red_flag"] = True
        elif custom.get("type") == "muscle_suggestions":
            outcome["muscles"] = [m["id"] for m in custom.get("muscles", [])]
    return outcome


def typed_outcome(session: requests.Session, rasa_url: str, text: str) -> Outcome:
    """`text` typed over REST as the first message of a new conversation."""
    replies = session.post(
        f"{rasa_url}/webhooks/rest/webhook", json={"sender": f"eval-{uuid.uuid4().hex}", "message": text}, timeout=60
    ).json()
    return outcome_of(replies)


def rest_runner(rasa_url: str, token: str) -> Callable[[dict], Outcome]:
    session = requests.Session()

    def run(case: dict) -> Outcome:
        if "intent" in case:
            parsed = session.post(
                f"{rasa_url}/model/parse", params={"token": token}, json={"text": case["text"]}, timeout=30
            ).json()
            return {"red_flag": False, "muscles": [], "intent": (parsed.get("intent") or {}).get("name")}
        return typed_outcome(session, rasa_url, case["text"])

    return run


def report(name: str, summary: Summary, console: Console, max_failures: int) -> dict:
    figures = summary.figures()
    table = Table(title=f"{name}")
    for key in figures:
        table.add_column(key)
    table.add_row(*[str(v) for v in figures.values()])
    console.print(table)
    for failure in summary.failures[:max_failures]:
        console.print(f"  [red]miss[/red] {json.dumps(failure)}", highlight=False, soft_wrap=True)
    return {"file": name, **figures, "failures": summary.failures}


def publish(summary: object, details: object, path: Path | None) -> None:
    """The summary on stdout; the details in `path` when one is given."""
    print(json.dumps(summary, indent=2))
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(details, indent=2), encoding="utf-8")


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cases", nargs="+", type=Path, help="YAML case files")
    parser.add_argument("--engine", action="store_true", help="pure matching and triage only (no Rasa)")
    parser.add_argument("--model", type=Path, default=Path("models/assistant.tar.gz"))
    parser.add_argument("--json", type=Path, help="also write the summary here")
    parser.add_argument("--max-failures", type=int, default=40)
    args = parser.parse_args(argv)
    console = Console(stderr=True)
    results = []
    if args.engine:
        run = engine_runner()
        for path in args.cases:
            results.append(report(str(path), score(load_cases(path), run, with_intents=False), console, args.max_failures))
    else:
        from assistant.servers import running_assistant

        with running_assistant(args.model) as servers:
            run = rest_runner(servers.rasa_url, servers.token)
            for path in args.cases:
                results.append(report(str(path), score(load_cases(path), run, with_intents=True), console, args.max_failures))
    summary = [{k: v for k, v in r.items() if k != "failures"} | {"failures": len(r["failures"])} for r in results]
    publish(summary, results, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
