"""socket.io channel for the web chat.

Rasa 3.6's socket.io channel crashes on a custom payload (it spreads the
payload into emit()'s keyword arguments), silently drops a message sent
without a session id, and answers nothing when the action server fails.
This one sends payloads as {"custom": ...}, falls back to the socket id,
and applies the same input checks and fallback as the REST channel. Its
JWT authentication is Rasa's: with `jwt_key` set, a socket connects only
with a valid token in its auth data (`{"token": ...}`).

The chat page and the body maps are served by assistant/channels/pages.py,
whichever channels are on.
"""

from __future__ import annotations

import inspect
import json
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, List

from rasa.core.channels.channel import InputChannel, UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from assistant.channels.guard import (
    ACTIONS_DOWN,
    DEFAULT_RATE_LIMIT,
    RateLimiter,
    allowed_origins,
    clean_text,
    origin_allowed,
    rate_limit_setting,
    refusal,
)

logger = logging.getLogger(__name__)


def base_url(environ: Dict[str, Any] | None) -> str:
    """The address the socket reached us at. Without a proxy's word on the
    scheme it is left to the page ("//host"), so an https page stays https."""
    environ = environ or {}
    host = str(environ.get("HTTP_HOST") or "").split(",")[0].strip()
    forwarded = str(environ.get("HTTP_X_FORWARDED_PROTO") or "").split(",")[0].strip().lower()
    scheme = f"{forwarded}:" if forwarded in ("http", "https") else ""
    return f"{scheme}//{host}" if host else ""


def token_accepted(auth: Any, jwt_key: str | None, jwt_method: str) -> bool:
    """True when no key is set, or the auth data carries a token the key
    verifies (as Rasa's own socket.io channel decides)."""
    if not jwt_key:
        return True
    token = auth.get("token") if isinstance(auth, dict) else None
    return bool(token) and decode_bearer_token(token, jwt_key, jwt_method) is not None


class WebSocketIOOutput(SocketIOOutput):
    def __init__(self, sio: AsyncServer, bot_message_evt: str, base_url: str = "") -> None:
        super().__init__(sio, bot_message_evt)
        self.sent = 0
        self.base_url = base_url

    async def _send_message(self, socket_id: str, response: Any) -> None:
        self.sent += 1
        await super()._send_message(socket_id, response)

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        # Our own pictures are paths; a widget on another site needs the full address.
        if image.startswith("/") and not image.startswith("//"):
            image = self.base_url + image
        await super().send_image_url(recipient_id, image, **kwargs)


class WebSocketIOInput(SocketIOInput):
    origins: List[str] = []  # browser origins allowed besides our own (CORS_ORIGINS)
    limiter = RateLimiter(DEFAULT_RATE_LIMIT)

    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        channel = cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            credentials.get("session_persistence", True),
            credentials.get("socketio_path", "/socket.io"),
            credentials.get("jwt_key") or None,
            credentials.get("jwt_method") or "HS256",
            credentials.get("metadata_key") or "metadata",
        )
        channel.origins = allowed_origins(credentials.get("allowed_origins"))
        limit = credentials.get("rate_limit_per_minute")
        channel.limiter = RateLimiter(rate_limit_setting(limit))
        return channel

    def get_output_channel(self) -> WebSocketIOOutput | None:
        return WebSocketIOOutput(self.sio, self.bot_message_evt) if self.sio else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # CORS headers come from the server's --cors setting, as in Rasa's own
        # channel; the origin itself is checked on connect below, because a
        # websocket is not subject to CORS at all.
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[])
        webhook = SocketBlueprint(sio, self.socketio_path, "web_socketio_webhook", __name__)
        self.sio = sio

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: Dict, auth: Any = None) -> bool:
            if not origin_allowed(environ.get("HTTP_ORIGIN"), environ.get("HTTP_HOST"), self.origins):
                return False
            return token_accepted(auth, self.jwt_key, self.jwt_algorithm or "HS256")

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Dict | None) -> None:
            session_id = (data or {}).get("session_id") or uuid.uuid4().hex
            joined = sio.enter_room(sid, session_id, namespace=self.namespace)
            if inspect.isawaitable(joined):  # async in newer python-socketio
                await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            data = data if isinstance(data, dict) else {"message": data}
            # Without a session id the reply still reaches this socket.
            sender = str(data.get("session_id") or sid)
            output = WebSocketIOOutput(sio, self.bot_message_evt, base_url(sio.get_environ(sid, namespace=self.namespace)))
            text = clean_text(data.get("message") if isinstance(data.get("message"), str) else "")
            early = refusal(text, sender, self.limiter)
            if early:
                await output._send_message(sender, {"text": early})
                return
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            try:
                await on_new_message(UserMessage(text, output, sender, input_channel=self.name(), metadata=metadata))
            except Exception:
                logger.exception("Handling a socket.io message failed.")  # never the text: it is health data
            if not output.sent:
                await output._send_message(sender, {"text": ACTIONS_DOWN})

        return webhook
