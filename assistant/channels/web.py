"""socket.io channel for the web chat.

Rasa 3.6's socket.io channel crashes on a custom payload (it spreads the
payload into emit()'s keyword arguments), silently drops a message sent
without a session id, and answers nothing when the action server fails.
This one sends payloads as {"custom": ...}, falls back to the socket id,
and applies the same input checks and fallback as the REST channel.
"""

from __future__ import annotations

import inspect
import json
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from assistant.channels.guard import ACTIONS_DOWN, clean_text, precheck

logger = logging.getLogger(__name__)


class WebSocketIOOutput(SocketIOOutput):
    def __init__(self, sio: AsyncServer, bot_message_evt: str) -> None:
        super().__init__(sio, bot_message_evt)
        self.sent = 0

    async def _send_message(self, socket_id: str, response: Any) -> None:
        self.sent += 1
        await super()._send_message(socket_id, response)

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class WebSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            credentials.get("session_persistence", True),
            credentials.get("socketio_path", "/socket.io"),
        )

    def get_output_channel(self) -> WebSocketIOOutput | None:
        return WebSocketIOOutput(self.sio, self.bot_message_evt) if self.sio else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # CORS is left to the server's --cors setting, as in Rasa's own channel.
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[])
        webhook = SocketBlueprint(sio, self.socketio_path, "web_socketio_webhook", __name__)
        self.sio = sio

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
            output = WebSocketIOOutput(sio, self.bot_message_evt)
            text = clean_text(data.get("message") if isinstance(data.get("message"), str) else "")
            early = precheck(text)
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
