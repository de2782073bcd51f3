"""socket.io channel for the web chat.

Rasa 3.6's socket.io channel crashes on a custom payload (it spreads the
payload into emit()'s keyword arguments), silently drops a message sent
without a session id, and answers nothing when the action server fails.
This one sends payloads as {"custom": ...}, falls back to the socket id,
and applies the same input checks and fallback as the REST channel.

It also serves the chat page (`/chat`), its static files (`/web/<file>`)
and the body maps (`/bodymap.svg` and `/bodymap.png?muscles=a,b&side=left`;
`/bodymap.svg?picker=1` is the map to tap). Rasa mounts a channel's
blueprint under /webhooks/<name>/, so these app-level routes are added when
the socket.io blueprint registers itself.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from assistant import bodymap
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
from assistant.knowledge.loader import default_knowledge
from assistant.sides import pictured_side

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parents[1] / "web"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
# The page runs only its own scripts and styles; messages can't smuggle any in.
# Spoken replies play from blob: URLs the page makes from the voice answer.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; media-src 'self' blob:; "
    "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; form-action 'none'"
)
MAX_QUERY = 400


def static_file(name: str) -> Path | None:
    """A file of the web folder, never anything outside it."""
    path = (WEB_DIR / name).resolve()
    if WEB_DIR not in path.parents or not path.is_file() or path.suffix not in CONTENT_TYPES:
        return None
    return path


def _file_response(path: Path, headers: Dict[str, str] | None = None) -> HTTPResponse:
    return response.raw(
        path.read_bytes(),
        content_type=CONTENT_TYPES[path.suffix],
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff", **(headers or {})},
    )


async def chat_page(_: Request) -> HTTPResponse:
    return _file_response(WEB_DIR / "index.html", {"Content-Security-Policy": PAGE_POLICY})


async def web_file(_: Request, name: str) -> HTTPResponse:
    path = static_file(name)
    if path is None:
        return response.text("not found", status=404)
    return _file_response(path)


async def bodymap_svg(request: Request) -> HTTPResponse:
    return await bodymap_picture(request, "svg")


async def bodymap_png(request: Request) -> HTTPResponse:
    return await bodymap_picture(request, "png")


async def bodymap_picture(request: Request, fmt: str) -> HTTPResponse:
    requested = (request.args.get("muscles") or "")[:MAX_QUERY]
    muscles = tuple(bodymap.known_muscles(default_knowledge(), [m.strip() for m in requested.split(",") if m.strip()]))
    side = pictured_side(request.args.get("side"))
    picker = request.args.get("picker") == "1"
    if not muscles and not picker:
        return response.json({"error": "give ?muscles=id1,id2 (knowledge-base muscle ids) or ?picker=1"}, status=400)
    # PNG drawing takes a few hundred milliseconds: keep it off the event loop.
    body = await asyncio.get_running_loop().run_in_executor(None, bodymap.picture, muscles, side, fmt, picker)
    return response.raw(
        body,
        content_type=CONTENT_TYPES[f".{fmt}"],
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


def base_url(environ: Dict[str, Any] | None) -> str:
    """The address the socket reached us at. Without a proxy's word on the
    scheme it is left to the page ("//host"), so an https page stays https."""
    environ = environ or {}
    host = str(environ.get("HTTP_HOST") or "").split(",")[0].strip()
    forwarded = str(environ.get("HTTP_X_FORWARDED_PROTO") or "").split(",")[0].strip().lower()
    scheme = f"{forwarded}:" if forwarded in ("http", "https") else ""
    return f"{scheme}//{host}" if host else ""


class WebBlueprint(SocketBlueprint):
    """The socket.io blueprint, plus the page and body-map routes on the app."""

    def register(self, app: Sanic, options: Dict[str, Any]) -> None:
        super().register(app, options)
        if "web_chat_page" in {route.name.split(".")[-1] for route in app.router.routes}:
            return
        app.add_route(chat_page, "/chat", methods=["GET"], name="web_chat_page")
        app.add_route(web_file, "/web/<name:path>", methods=["GET"], name="web_chat_file")
        app.add_route(bodymap_svg, "/bodymap.svg", methods=["GET"], name="web_bodymap_svg")
        app.add_route(bodymap_png, "/bodymap.png", methods=["GET"], name="web_bodymap_png")


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
        webhook = WebBlueprint(sio, self.socketio_path, "web_socketio_webhook", __name__)
        self.sio = sio

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: Dict, auth: Any = None) -> bool:
            return origin_allowed(environ.get("HTTP_ORIGIN"), environ.get("HTTP_HOST"), self.origins)

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
