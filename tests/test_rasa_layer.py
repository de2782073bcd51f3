"""The layer over Rasa: its start-up check, its switch, and contract tests
that go through Rasa's own code paths, so they fail when Rasa stops calling
what the layer replaced."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest
from aiohttp import web
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig

from assistant.nlp import layer, lean_actions
from assistant.reading.reading import Reading
from assistant.safety_session import EARLIER
from assistant.tools.servers import ROOT
from assistant.understand import read

DOMAIN = Domain.load(str(ROOT / "domain.yml"))


def test_the_installed_rasa_is_the_one_the_layer_was_written_for() -> None:
    assert layer.problems() == []


def test_a_hook_that_is_gone_or_changed_is_named() -> None:
    gone = layer.Hook("rasa.core.processor", "MessageProcessor.no_such_hook", "a patch needs it")
    changed = layer.Hook("rasa.core.processor", "MessageProcessor.handle_message", "a patch needs it", ("msg",))
    with pytest.raises(layer.RasaChanged) as raised:
        layer.check([gone, changed])
    message = str(raised.value)
    assert "rasa.core.processor.MessageProcessor.no_such_hook is gone (a patch needs it)" in message
    assert "MessageProcessor.handle_message now takes (message), not (msg)" in message


def test_another_rasa_release_line_is_refused() -> None:
    assert layer.version_problem("3.6.21") is None
    assert "Rasa 3.7.0 is installed" in (layer.version_problem("3.7.0") or "")


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True, text=True, timeout=120,
    )


def test_start_up_stops_with_a_clear_message_when_a_hook_is_gone() -> None:
    started = run_python(
        "import sys, rasa.core.processor as p\n"
        "del p.MessageProcessor.get_tracker\n"
        "sys.argv = ['rasa_command', '--version']\n"
        "from assistant.nlp import rasa_command\n"
        "sys.exit(rasa_command.main())\n"
    )
    assert started.returncode == 2
    assert "rasa.core.processor.MessageProcessor.get_tracker is gone" in started.stderr


PATCHED = (
    "from assistant.nlp import layer, lean_actions, retried_turns, tracker_copy\n"
    "from rasa.shared.core.trackers import DialogueStateTracker\n"
    "from rasa.core.actions.action import RemoteAction\n"
    "from rasa.core.processor import MessageProcessor\n"
    "import rasa.core.run\n"
    "print(layer.install())\n"
    "print(RemoteAction._action_call_format is lean_actions.lean_call_format,\n"
    "      DialogueStateTracker.copy is tracker_copy.lean_copy,\n"
    "      MessageProcessor.handle_message is retried_turns.handle_message,\n"
    "      getattr(rasa.core.run.configure_app, 'adds_pages', False))\n"
)


def test_the_layer_installs_its_patches_and_stock_mode_only_the_safe_ones() -> None:
    assert run_python(PATCHED, RASA_STOCK="false").stdout.split("\n")[:2] == ["layer", "True True True True"]
    assert run_python(PATCHED, RASA_STOCK="true").stdout.split("\n")[:2] == ["stock", "False False True True"]


class ActionServer:
    """A stand-in action server that records each call Rasa makes."""

    def __init__(self, answer: Dict[str, Any]) -> None:
        self.answer = answer
        self.calls: List[Dict[str, Any]] = []

    async def webhook(self, request: web.Request) -> web.Response:
        self.calls.append(await request.json())
        return web.json_response(self.answer)

    async def run(self, action: str, tracker: DialogueStateTracker, domain: Domain, **endpoint: Any) -> list:
        app = web.Application()
        app.router.add_post("/webhook", self.webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        try:
            remote = RemoteAction(action, EndpointConfig(f"http://127.0.0.1:{port}/webhook", **endpoint))
            return await remote.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses), tracker, domain)
        finally:
            await runner.cleanup()


def long_tracker() -> DialogueStateTracker:
    events: list = []
    for turn in range(50):
        events += [ActionExecuted("action_listen"), UserUttered(f"message {turn}"), ActionExecuted("action_suggest_muscles"), BotUttered("reply")]
    events.append(SlotSet("current_muscle", "vastus_medialis"))
    return DialogueStateTracker.from_events("long", events, slots=DOMAIN.slots)


NO_CHANGE = {"events": [], "responses": [{"text": "hi"}]}


def test_the_action_call_rasa_makes_carries_only_the_current_turn() -> None:
    """...after the few earlier messages that safety reads signs across."""
    lean_actions.install()
    server = ActionServer(NO_CHANGE)
    replies = asyncio.run(server.run("action_release", long_tracker(), DOMAIN))
    assert [r.text for r in replies] == ["hi"]
    (call,) = server.calls
    events = call["tracker"]["events"]
    assert [e["event"] for e in events] == ["user"] * EARLIER + ["user", "action", "bot", "slot"]
    assert [e["text"] for e in events[: EARLIER + 1]] == [f"message {n}" for n in range(49 - EARLIER, 50)]
    assert call["tracker"]["slots"]["current_muscle"] == "vastus_medialis"
    assert call["tracker"]["latest_message"]["text"] == "message 49"
    assert call["domain"]["slots"]  # no selective domain configured: the whole domain, as in Rasa


def test_the_action_call_carries_this_servers_reading_and_the_turns_triage() -> None:
    """The action server takes both from here and reads nothing again; the
    triage counts the earlier message's sign (a swollen calf, then a flight)."""
    lean_actions.install()
    events = [
        ActionExecuted("action_listen"), UserUttered("my left calf is swollen and red"), ActionExecuted("action_suggest_muscles"),
        BotUttered("reply"), ActionExecuted("action_listen"), UserUttered("no fever, I just got off a long haul flight"),
    ]
    tracker = DialogueStateTracker.from_events("signs", events, slots=DOMAIN.slots)
    server = ActionServer(NO_CHANGE)
    asyncio.run(server.run("action_red_flag", tracker, DOMAIN))
    latest = server.calls[0]["tracker"]["latest_message"]
    reading = Reading.from_dict(latest["reading"])
    assert reading == read("no fever, I just got off a long haul flight")
    assert any(f.denied for f in reading.of("safety"))
    assert latest["turn_triage"]["flagged"] and latest["turn_triage"]["rule_id"] == "clot"


def test_the_selective_domain_is_kept_as_rasa_keeps_it() -> None:
    lean_actions.install()
    domain = Domain.from_dict({**DOMAIN.as_dict(), "actions": [{"action_needs_domain": {"send_domain": True}}, "action_release"]})
    server = ActionServer(NO_CHANGE)
    asyncio.run(server.run("action_release", long_tracker(), domain, enable_selective_domain=True))
    asyncio.run(server.run("action_needs_domain", long_tracker(), domain, enable_selective_domain=True))
    asyncio.run(server.run("action_release", long_tracker(), domain))
    assert ["domain" in call for call in server.calls] == [False, True, True]


def test_action_answers_are_checked_by_the_compiled_validator_on_rasas_path(monkeypatch) -> None:
    lean_actions.install()
    checked: list = []
    validator = lean_actions.response_validator()

    class Recording:
        def validate(self, result: dict) -> None:
            checked.append(result)
            validator.validate(result)

    monkeypatch.setattr(lean_actions, "response_validator", Recording)
    asyncio.run(ActionServer(NO_CHANGE).run("action_release", long_tracker(), DOMAIN))
    assert checked == [NO_CHANGE]
    from jsonschema import ValidationError

    with pytest.raises(ValidationError):
        asyncio.run(ActionServer({"events": [{"no_event_key": True}], "responses": []}).run("action_release", long_tracker(), DOMAIN))
    with pytest.raises(ValidationError):
        asyncio.run(ActionServer({"events": "not a list", "responses": []}).run("action_release", long_tracker(), DOMAIN))


def test_docs_say_which_parts_go_with_an_upgrade() -> None:
    doc = (ROOT / "docs" / "rasa-layer.md").read_text(encoding="utf-8")
    for hook in layer.HOOKS:
        assert hook.path.split(".")[-1] in doc, hook.path
    assert "RASA_STOCK" in doc


def test_every_path_that_starts_rasa_goes_through_the_layer() -> None:
    starts = [ROOT / "deploy" / "Dockerfile", ROOT / "deploy" / "docker-compose.yml", ROOT / "deploy" / "k8s" / "rasa.yaml"]
    for path in starts:
        text = path.read_text(encoding="utf-8")
        assert "assistant.nlp.rasa_command" in text and '"rasa", "run"' not in text, path
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(RASA) test core" not in makefile and "$(RASA) run" not in makefile
    assert Path(ROOT / "assistant" / "nlp" / "rasa_command.py").is_file()


def conversations() -> List[DialogueStateTracker]:
    """Trackers in the states a live one passes through: a form running and
    interrupted, a revert, a new session, and one without a domain's slots."""
    from rasa.shared.core.events import ActionExecutionRejected, ActiveLoop, SessionStarted, UserUtteranceReverted

    events: list = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    events += [UserUttered("my knee", intent={"name": "describe_symptom", "confidence": 1.0}), ActionExecuted("action_suggest_muscles")]
    events += [SlotSet("suggested_muscles", ["vastus_medialis"]), BotUttered("try this"), ActionExecuted("action_listen")]
    events += [UserUttered("why", intent={"name": "ask_root_cause"}), ActionExecuted("checkup_form"), ActiveLoop("checkup_form")]
    events += [SlotSet("requested_slot", "checkup_question"), ActionExecuted("action_listen"), UserUttered("what is it")]
    events += [ActionExecutionRejected("checkup_form"), ActionExecuted("action_muscle_info"), UserUtteranceReverted()]
    events += [ActionExecuted("action_listen"), UserUttered("yes", intent={"name": "affirm"}), ActionExecuted("checkup_form")]
    events += [ActionExecuted("action_session_start"), SessionStarted(), SlotSet("suggested_muscles", ["soleus"])]
    events += [ActionExecuted("action_listen"), UserUttered("thanks", intent={"name": "thank"}), BotUttered("welcome")]
    trackers = [DialogueStateTracker.from_events("me", events[:end], slots=DOMAIN.slots) for end in range(1, len(events) + 1)]
    grown = DialogueStateTracker("grown", DOMAIN.slots)
    for event in events:
        grown.update(event)
    return [*trackers, grown, DialogueStateTracker.from_events("no-domain", events, slots=None)]


def test_the_lean_tracker_copy_equals_rasas_replayed_copy() -> None:
    from assistant.nlp import tracker_copy

    for tracker in conversations():
        replayed, lean = DialogueStateTracker.travel_back_in_time(tracker, float("inf")), tracker_copy.lean_copy(tracker)
        assert lean.current_state(EventVerbosity.ALL) == replayed.current_state(EventVerbosity.ALL)
        assert vars(lean).keys() == vars(replayed).keys()
        assert {n: (s.value, s.has_been_set) for n, s in lean.slots.items()} == {
            n: (s.value, s.has_been_set) for n, s in replayed.slots.items()
        }
        assert (lean.active_loop, lean.is_paused(), lean.model_id) == (replayed.active_loop, replayed.is_paused(), replayed.model_id)
        lean.update(SlotSet("suggested_muscles", ["masseter"]))  # the copy is its own
        assert tracker.get_slot("suggested_muscles") != ["masseter"]
