"""The assistant's layer over Rasa: what it replaces, what it relies on, and
the one step that installs it.

`assistant/nlp/` is the one package that reaches into Rasa's internals. The
plug-ins Rasa loads by name from `config.yml` and `endpoints*.yml` (the
safety policy, the recent-rule policy, the erasable tracker store, the lock
store, the intent classifier) live here, and so do the process-wide
patches (`lean_actions`, `retried_turns`, `tracker_copy`) and the page
routes. Rasa's command is started through `python -m
assistant.nlp.rasa_command`, which calls `install()` before Rasa reads its
arguments, whichever channels `credentials.yml` lists.

`install()` first checks that this is the Rasa the layer was written for:
the version, and every attribute a patch replaces or a plug-in overrides or
calls. A missing attribute or a changed signature stops start-up with a
message naming it, instead of a patch that silently does nothing.

`RASA_STOCK=true` turns the performance layer off (the lean action call,
the once-compiled answer check, the tracker cache, the tracker copy, the
recent-rule window): Rasa then behaves as shipped. What is kept either way is what keeps people
and their data safe: deletion, the safety policy, the lock store with its
fencing and the retried-turn replay. docs/rasa-layer.md says which parts
would go with an upgrade.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import os
from dataclasses import dataclass
from typing import Any, List, Sequence, Tuple

logger = logging.getLogger(__name__)

# The Rasa release line the layer was written and tested against.
RASA_SERIES = (3, 6)
STOCK_ENV = "RASA_STOCK"


class RasaChanged(RuntimeError):
    """The installed Rasa is not the one the layer was written for."""


@dataclass(frozen=True)
class Hook:
    """One attribute of Rasa the layer replaces, overrides or calls.
    `parameters`: the names a callable must accept, in order (after self)."""

    module: str
    path: str  # "Class.attribute", or a module-level name
    why: str
    parameters: Tuple[str, ...] | None = None


HOOKS: Tuple[Hook, ...] = (
    Hook("rasa.core.actions.action", "RemoteAction._action_call_format", "lean_actions replaces it", ("tracker", "domain")),
    Hook("rasa.core.actions.action", "RemoteAction._validate_action_result", "lean_actions replaces it", ("result",)),
    Hook("rasa.core.actions.action", "RemoteAction.action_response_format_spec", "lean_actions compiles its schema", ()),
    Hook("rasa.core.actions.action", "RemoteAction._is_selective_domain_enabled", "lean_actions keeps selective domains", ()),
    Hook("rasa.shared.core.domain", "Domain.does_custom_action_explicitly_need_domain", "lean_actions keeps send_domain", ("action_name",)),
    Hook("rasa.core.actions.action", "DEFAULT_REQUEST_TIMEOUT", "the REST channel shortens the action timeout"),
    Hook("rasa.utils.endpoints", "DEFAULT_REQUEST_TIMEOUT", "the REST channel shortens the action timeout"),
    Hook("rasa.shared.core.trackers", "DialogueStateTracker.copy", "tracker_copy replaces it", ()),
    Hook("rasa.shared.core.trackers", "DialogueStateTracker.init_copy", "tracker_copy starts from it", ()),
    Hook("rasa.core.processor", "MessageProcessor.handle_message", "retried_turns replaces it", ("message",)),
    Hook("rasa.core.processor", "MessageProcessor.get_tracker", "retried_turns reads the stored turn", ("conversation_id",)),
    Hook("rasa.core.tracker_store", "SQLTrackerStore._additional_events", "the erasable store overrides it", ("session", "tracker")),
    Hook("rasa.core.tracker_store", "SQLTrackerStore.SQLEvent", "the erasable store writes and counts its rows"),
    Hook("rasa.core.tracker_store", "SQLTrackerStore.session_scope", "the erasable store opens its transactions", ()),
    Hook("rasa.core.tracker_store", "create_engine_kwargs", "the erasable store rebuilds the engine", ("url",)),
    Hook("rasa.core.policies.rule_policy", "RulePolicy._prediction_states", "the recent-rule policy overrides it",
         ("tracker", "domain", "use_text_for_last_user_input", "rule_only_data")),
    Hook("rasa.core.policies.rule_policy", "RULES", "the recent-rule policy sizes its window from the rules"),
    Hook("rasa.core.policies.rule_policy", "RULES_FOR_LOOP_UNHAPPY_PATH", "the recent-rule policy sizes its window"),
    Hook("rasa.core.constants", "RULE_POLICY_PRIORITY", "the safety policy must outrank the rules"),
    Hook("rasa.core.lock_store", "LockStore.lock", "the Redis lock store overrides it",
         ("conversation_id", "lock_lifetime", "wait_time_in_seconds")),
    Hook("rasa.core.run", "configure_app", "the page routes are added to the app it builds", ("input_channels",)),
    Hook("rasa.core.channels.socketio", "SocketIOInput.__init__", "the web channel passes the JWT settings on",
         ("user_message_evt", "bot_message_evt", "namespace", "session_persistence", "socketio_path",
          "jwt_key", "jwt_method", "metadata_key")),
    Hook("rasa.core.channels.socketio", "SocketBlueprint", "the web channel mounts socket.io with it"),
    Hook("rasa.core.channels.channel", "decode_bearer_token", "the web channel checks socket.io tokens",
         ("bearer_token", "jwt_key", "jwt_algorithm")),
)


def stock() -> bool:
    """True when RASA_STOCK asks for Rasa as shipped, without the performance layer."""
    return os.environ.get(STOCK_ENV, "").strip().lower() in ("1", "true", "yes")


def resolve(hook: Hook) -> Any:
    """The attribute `hook` names; AttributeError or ImportError when gone."""
    target: Any = importlib.import_module(hook.module)
    for part in hook.path.split("."):
        target = getattr(target, part)
    return target


def hook_problem(hook: Hook) -> str | None:
    """What changed about `hook`, or None while it is as the layer expects."""
    name = f"{hook.module}.{hook.path}"
    try:
        target = resolve(hook)
    except (AttributeError, ImportError):
        return f"{name} is gone ({hook.why})"
    if hook.parameters is None:
        return None
    try:
        names = [p for p in inspect.signature(target).parameters if p not in ("self", "cls")]
    except (TypeError, ValueError):
        return f"{name} is no longer a function ({hook.why})"
    expected = list(hook.parameters)
    if names[: len(expected)] != expected:
        return f"{name} now takes ({', '.join(names)}), not ({', '.join(expected)}) ({hook.why})"
    return None


def version_problem(version: str) -> str | None:
    try:
        series = tuple(int(part) for part in version.split(".")[:2])
    except ValueError:
        return f"Rasa {version} is not a release the layer can read"
    if series != RASA_SERIES:
        return f"Rasa {version} is installed; the layer was written for Rasa {'.'.join(map(str, RASA_SERIES))}"
    return None


def problems(hooks: Sequence[Hook] = HOOKS) -> List[str]:
    """Everything about the installed Rasa the layer cannot rely on."""
    import rasa

    found = [p for p in [version_problem(rasa.__version__)] if p]
    found += [p for p in map(hook_problem, hooks) if p]
    if not found:
        from rasa.core.constants import RULE_POLICY_PRIORITY

        from assistant.nlp.safety_policy import SafetyPolicy

        if SafetyPolicy.get_default_config()["priority"] <= RULE_POLICY_PRIORITY:
            found.append(f"RulePolicy's priority is now {RULE_POLICY_PRIORITY}: the safety policy would no longer outrank it")
    return found


def check(hooks: Sequence[Hook] = HOOKS) -> None:
    """Raise RasaChanged naming everything that changed."""
    found = problems(hooks)
    if found:
        raise RasaChanged(
            "The installed Rasa differs from the one the assistant's layer was written for "
            "(assistant/nlp/layer.py, docs/rasa-layer.md):\n- " + "\n- ".join(found)
        )


_installed: str | None = None


def installed() -> str | None:
    """"layer" or "stock" once `install()` ran in this process, else None."""
    return _installed


def install() -> str:
    """Check Rasa, then patch it; once per process. Returns the mode."""
    global _installed
    if _installed is not None:
        return _installed
    check()
    from assistant.nlp import lean_actions, page_routes, retried_turns, tracker_copy

    retried_turns.install()
    page_routes.install()
    if not stock():
        lean_actions.install()
        tracker_copy.install()
    _installed = "stock" if stock() else "layer"
    logger.info("Rasa layer installed (%s).", _installed)
    return _installed


def set_action_timeout(seconds: float) -> None:
    """Rasa waits 5 minutes for a hung action server; a person won't."""
    import rasa.core.actions.action
    import rasa.utils.endpoints

    rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT = seconds
    rasa.utils.endpoints.DEFAULT_REQUEST_TIMEOUT = seconds
