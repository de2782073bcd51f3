"""`make eval CASES=file.yml`: accuracy of the assistant on written cases.

Each case has `text` and one of `expect_any` (muscle ids, any of them in the
top 3 is a hit), `red_flag` (true/false) or `intent`. By default the cases run
through the trained model and the real actions over REST; `--engine` runs the
pure core alone (text -> features -> ranking, triage), which has no intents.

A file with a top-level `conversations:` key holds multi-turn scripts instead:
each script runs over REST as a new conversation, turn by turn, and each
turn's replies are checked against its `expect` keys (CHECKS; the files'
header says what each means). `--engine` skips such files: they need Rasa.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable, Dict, List

import requests
import yaml
from rich.console import Console
from rich.table import Table

Outcome = Dict[str, Any]  # {"muscles": [...ids best first], "red_flag": bool, "intent": str|None}
Say = Callable[[str, str], List[dict]]  # (sender, text) -> the turn's replies

STEPS = "Releasing the"  # how every release reply begins (assistant/replies.py)
# Expectation keys true when a turn's replies carry a custom payload of that type.
PAYLOADS = {"red_flag": "red_flag", "red_flag_check": "red_flag_check", "screening": "screening", "suggestions": "muscle_suggestions"}
CHECKS = {*PAYLOADS, "steps", "expect_any", "not_top", "text_any", "text_none"}


def ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


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


def post_message(session: requests.Session, rasa_url: str, sender: str, text: str) -> List[dict]:
    """The replies to `text` typed over REST by `sender`."""
    return session.post(f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60).json()


def new_sender() -> str:
    return f"eval-{uuid.uuid4().hex}"


def typed_outcome(session: requests.Session, rasa_url: str, text: str) -> Outcome:
    """`text` typed over REST as the first message of a new conversation."""
    return outcome_of(post_message(session, rasa_url, new_sender(), text))


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


def load_conversations(path: Path) -> List[dict] | None:
    """The scripts of a file with a top-level `conversations:` key; None for a file of cases."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not (isinstance(data, dict) and "conversations" in data):
        return None
    scripts = data["conversations"]
    for i, script in enumerate(scripts, 1):
        turns = script.get("turns") if isinstance(script, dict) else None
        if not (isinstance(turns, list) and turns and isinstance(script.get("name"), str)):
            raise ValueError(f"{path}: conversation {i} needs a 'name' and a list of 'turns'")
        for j, turn in enumerate(turns, 1):
            if not (isinstance(turn, dict) and isinstance(turn.get("say"), str) and set(turn.get("expect") or {}) <= CHECKS):
                raise ValueError(f"{path}: {script['name']} turn {j} needs a 'say' string and expect keys among {sorted(CHECKS)}")
    return scripts


def texts_of(replies: List[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def steps_shown(replies: List[dict]) -> bool:
    return STEPS in texts_of(replies)


def steps_for(muscle_id: str) -> str:
    """How the release steps of `muscle_id` begin."""
    from assistant.knowledge.loader import default_knowledge

    return f"{STEPS} {default_knowledge().muscles[muscle_id].name}"


def check_turn(expect: dict, replies: List[dict]) -> List[str]:
    """The expectation keys of one turn that its replies fail."""
    outcome, text = outcome_of(replies), texts_of(replies)
    lowered = text.lower()
    kinds = {(r.get("custom") or {}).get("type") for r in replies}
    shown = {key: kind in kinds for key, kind in PAYLOADS.items()} | {"steps": STEPS in text}
    failed = [key for key, seen in shown.items() if key in expect and bool(expect[key]) != seen]
    if "expect_any" in expect and not set(expect["expect_any"]) & set(outcome["muscles"][:3]):
        failed.append("expect_any")
    if any(m in outcome["muscles"][:1] or steps_for(m) in text for m in expect.get("not_top", [])):
        failed.append("not_top")
    if "text_any" in expect and not any(phrase in lowered for phrase in expect["text_any"]):
        failed.append("text_any")
    if any(phrase in lowered for phrase in expect.get("text_none", [])):
        failed.append("text_none")
    return failed


@dataclass
class ConversationSummary:
    conversations: int = 0
    conversations_passed: int = 0
    turns: int = 0
    turns_passed: int = 0
    steps_after_red_flag: int = 0
    failures: List[dict] = field(default_factory=list)

    def figures(self) -> Dict[str, float | None]:
        return {
            "conversations": self.conversations,
            "conversations_passed": self.conversations_passed,
            "pass_rate": ratio(self.conversations_passed, self.conversations),
            "turns": self.turns,
            "turns_passed": self.turns_passed,
            "steps_after_red_flag": self.steps_after_red_flag,
        }


def score_conversations(scripts: List[dict], say: Say) -> ConversationSummary:
    """Each script as a new conversation. A red-flag reply, or a turn marked
    `screening_yes` (a screening item applies), holds the steps back for the
    rest of the script until a turn marked `correction`; steps shown while
    held are counted in `steps_after_red_flag`."""
    summary = ConversationSummary()
    for script in scripts:
        sender, held, passed = new_sender(), False, True
        for index, turn in enumerate(script["turns"], 1):
            replies = say(sender, turn["say"])
            held = (held or bool(turn.get("screening_yes"))) and not turn.get("correction")
            summary.steps_after_red_flag += held and steps_shown(replies)
            held = held or outcome_of(replies)["red_flag"]
            failed = check_turn(turn.get("expect") or {}, replies)
            summary.turns += 1
            summary.turns_passed += not failed
            passed = passed and not failed
            if failed:
                summary.failures.append({"name": script["name"], "turn": index, "failed": failed, "replies": texts_of(replies)[:200]})
        summary.conversations += 1
        summary.conversations_passed += passed
    return summary


def report(name: str, summary: Summary | ConversationSummary, console: Console, max_failures: int) -> dict:
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

    def evaluate(run: Callable[[dict], Outcome], say: Say | None) -> None:
        for path in args.cases:
            scripts = load_conversations(path)
            if scripts is None:
                summary: Summary | ConversationSummary = score(load_cases(path), run, with_intents=say is not None)
            elif say is None:
                console.print(f"{path}: conversation scripts need the servers; skipped with --engine")
                continue
            else:
                summary = score_conversations(scripts, say)
            results.append(report(str(path), summary, console, args.max_failures))

    if args.engine:
        evaluate(engine_runner(), None)
    else:
        from assistant.tools.servers import running_assistant

        with running_assistant(args.model) as servers:
            evaluate(rest_runner(servers.rasa_url, servers.token), partial(post_message, requests.Session(), servers.rasa_url))
    summary = [{k: v for k, v in r.items() if k != "failures"} | {"failures": len(r["failures"])} for r in results]
    publish(summary, results, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
