"""REST channel with input checks and a polite reply when actions fail.

Rasa's own REST channel logs the message text on errors, turns bad JSON into
a 500 and answers nothing when the action server is down; this one does not.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, List, Set

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.lock_store import LockError
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from assistant.channels.guard import (
    ACTIONS_DOWN,
    DEFAULT_RATE_LIMIT,
    RateLimiter,
    clean_text,
    rate_limit_setting,
    refusal,
)
from assistant.nlp import retried_turns
from assistant.nlp.layer import set_action_timeout

logger = logging.getLogger(__name__)

DEFAULT_ACTION_TIMEOUT = 4.0
# Set by the cluster's proxy, the same on every retry of one request.
REQUEST_ID_HEADER = "X-Request-Id"


def bad_request(reason: str) -> HTTPResponse:
    return response.json({"error": reason}, status=400)


BAD_SENDER = "'sender' must be a non-empty string of at most 128 characters"


def valid_sender(sender: object) -> bool:
    """A conversation id we accept from any channel: a non-empty string (or
    number) of at most 128 characters."""
    return not isinstance(sender, bool) and isinstance(sender, (str, int)) and bool(str(sender).strip()) and len(str(sender)) <= 128


def parse_request(request: Request) -> tuple[str | None, str | None, dict | None, str | None]:
    """(sender, text, metadata, error) from a REST body, without raising."""
    try:
        body = request.json
    except Exception:
        return None, None, None, "the body must be JSON"
    if not isinstance(body, dict):
        return None, None, None, "the body must be a JSON object with 'sender' and 'message'"
    sender, message, metadata = body.get("sender", "default"), body.get("message"), body.get("metadata")
    if not valid_sender(sender):
        return None, None, None, BAD_SENDER
    if not isinstance(message, str):
        return None, None, None, "'message' must be a string"
    return str(sender), message, metadata if isinstance(metadata, dict) else None, None


class Turns:
    """Runs one message through Rasa and collects the replies, with a reply
    by `deadline` seconds whatever happens: a turn may call the action server
    more than once (session start, then the answer), and a person won't wait
    for a hung one. Shared by the REST and voice channels."""

    def __init__(self, deadline: float = DEFAULT_ACTION_TIMEOUT + 0.5) -> None:
        self.deadline = deadline
        self._late: Set[asyncio.Task] = set()

    async def run(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage) -> List[Dict[str, Any]]:
        """The replies to `message`, whose output channel must be a
        CollectingOutputChannel."""
        collector, sender = message.output_channel, message.sender_id
        assert isinstance(collector, CollectingOutputChannel)
        turn = asyncio.ensure_future(self._handle(on_new_message, message))
        done, _ = await asyncio.wait({turn}, timeout=self.deadline)
        if not done:
            # Past the deadline the turn still finishes and is saved (the
            # message is not lost); only its late replies are dropped.
            self._late.add(turn)
            turn.add_done_callback(self._late.discard)
            return [{"recipient_id": sender, "text": ACTIONS_DOWN}]
        return collector.messages or [{"recipient_id": sender, "text": ACTIONS_DOWN}]

    @staticmethod
    async def _handle(on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage) -> None:
        try:
            await on_new_message(message)
        except LockError as err:
            # The turn never held its conversation, or lost it before it was
            # stored: answering it would tell the person it was heard.
            logger.warning("A turn was not stored: %s", err)
            message.output_channel.messages.clear()
        except Exception:
            # Never log the message: it is health data.
            logger.exception("Handling a message failed.")


class SafeRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def __init__(self, rate_limit: int = DEFAULT_RATE_LIMIT, deadline: float = DEFAULT_ACTION_TIMEOUT + 0.5) -> None:
        self.limiter = RateLimiter(rate_limit)
        self.turns = Turns(deadline)

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        timeout = float(credentials.get("action_timeout") or DEFAULT_ACTION_TIMEOUT)
        set_action_timeout(timeout)
        limit = credentials.get("rate_limit_per_minute")
        return cls(rate_limit_setting(limit), deadline=timeout + 0.5)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("safe_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            sender, message, metadata, error = parse_request(request)
            if error or sender is None:
                return bad_request(error or BAD_SENDER)
            text = clean_text(message or "")
            early = refusal(text, sender, self.limiter)
            if early:
                return response.json([{"recipient_id": sender, "text": early}])
            collector = CollectingOutputChannel()
            request_id = request.headers.get(REQUEST_ID_HEADER, "")[:64]
            kind = retried_turns.RetryableMessage if request_id else UserMessage
            message = kind(text, collector, sender, input_channel=self.name(), metadata=metadata, message_id=request_id or None)
            return response.json(await self.turns.run(on_new_message, message))

        return webhook
