"""Telegram channel: a Bot API webhook with our own safety rules.

Rasa 3.6's built-in Telegram channel checks no secret token, calls getMe on
every update, turns handler errors into a 500 (Telegram then retries for a
day) and has a fixed API address. This one:

- answers 503 while it is not configured (TELEGRAM_TOKEN or
  TELEGRAM_SECRET_TOKEN unset): the server still starts, the route exists,
  and Telegram keeps the updates until the bot is configured;
- checks `X-Telegram-Bot-Api-Secret-Token` on every call (403 otherwise,
  compared in constant time);
- answers every update with 200 at once and does the work in a background
  task: messages, button presses (callback queries) and /start, /help and
  /delete; other update kinds are ignored;
- lets Rasa handle the whole turn first (the tracker is saved) and only then
  sends the replies, so a failed send never loses the user's message; send
  errors are logged without any message text and never raise into Rasa;
- transcribes voice notes offline (assistant/voice), says what it heard,
  answers in text (whole) and then with a voice note of the short spoken
  form; a spoken button title ("the same") picks that button, and "next",
  "repeat", "slower", "other muscles" or "stop" walk the spoken form;
- sends text as HTML in pieces of at most 4096 characters, buttons as an
  inline keyboard, the body map of suggested muscles as a photo, "typing"
  while the assistant thinks, and retries when the Bot API says 429.

Conversations are keyed "telegram-<chat id>". Updates of one chat are
handled one after the other, in order.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Coroutine, Dict, List, Set, Tuple

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from assistant import bodymap
from assistant.channels.guard import (
    ACTIONS_DOWN,
    DEFAULT_RATE_LIMIT,
    RateLimiter,
    clean_text,
    rate_limit_setting,
    refusal,
)
from assistant.channels.telegram_format import (
    MAX_CAPTION,
    CallbackData,
    escape_html,
    inline_keyboard,
    split_html,
    strip_html,
    to_html,
    truncate_html,
    user_text,
)
from assistant.channels.voice import NOT_HEARD, last_reply, spoken_turn
from assistant.voice.audio import AudioError
from assistant.voice.service import MAX_AUDIO_BYTES, shared_service
from assistant.voice.spoken import Said

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.telegram.org/bot"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SENDER_PREFIX = "telegram-"
MAX_RETRIES = 3  # further attempts after a 429, a 5xx or a network error
MAX_RETRY_AFTER = 60.0  # seconds; a longer wait is not honoured, the send is dropped
TYPING_EVERY = 4.5  # Telegram shows "typing" for 5 s or until a message arrives
REQUEST_TIMEOUT = 30.0

VOICE_UNUSABLE = (
    "Sorry, I couldn't play that voice note. Please try again with a shorter one (under a minute), or type what you feel."
)
HEARD = "I heard: \u201c{text}\u201d"
TEXT_ONLY = "I can only read text for now. Please type where it hurts and what it feels like."
BUTTON_EXPIRED = "That button has expired. Please type your question instead."
BODYMAP_CAPTION = "Where these muscles send pain (solid: main zones, striped: spillover): {names}."


def sender_id(chat_id: int | str) -> str:
    return f"{SENDER_PREFIX}{chat_id}"


def chat_id_of(recipient_id: str) -> str:
    return recipient_id[len(SENDER_PREFIX) :] if recipient_id.startswith(SENDER_PREFIX) else recipient_id


@dataclass
class ApiReply:
    ok: bool
    result: Any = None
    status: int | None = None
    description: str = ""

    @property
    def bad_markup(self) -> bool:
        return self.status == 400 and "parse" in self.description.lower()


class BotApi:
    """A small Bot API client: JSON or multipart calls, retries on 429 (after
    `parameters.retry_after`), on 5xx and on network errors, a bounded number
    of times. Never raises: failures are logged with the method and the Bot
    API's error, never the message text."""

    def __init__(self, token: str, base: str = DEFAULT_API_BASE, max_retries: int = MAX_RETRIES) -> None:
        self.token, self.base, self.max_retries = token, base.rstrip("/"), max_retries
        self._session: aiohttp.ClientSession | None = None

    def url(self, method: str) -> str:
        return f"{self.base}{self.token}/{method}"

    async def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT))
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def call(
        self,
        method: str,
        params: Dict[str, Any],
        files: Dict[str, Tuple[str, bytes, str]] | None = None,
        retries: int | None = None,
    ) -> ApiReply:
        """`files`: field -> (file name, bytes, content type), sent as multipart."""
        retries = self.max_retries if retries is None else retries
        for attempt in range(retries + 1):
            wait, status, description = 1.0 * 2**attempt, None, ""
            try:
                session = await self.session()
                async with session.post(self.url(method), **self._body(params, files)) as reply:
                    status = reply.status
                    answer = await reply.json(content_type=None)
                if not isinstance(answer, dict):
                    raise ValueError("the Bot API answered something other than a JSON object")
                if answer.get("ok"):
                    return ApiReply(True, answer.get("result"), status)
                status = int(answer.get("error_code") or status or 0)
                description = str(answer.get("description") or "")[:200]
                if status == 429:
                    wait = float((answer.get("parameters") or {}).get("retry_after") or 1)
                elif status < 500:
                    break  # a bad request stays bad
            except asyncio.CancelledError:
                raise
            except Exception as error:  # network errors, timeouts, broken JSON
                description = type(error).__name__
            if attempt == retries or wait > MAX_RETRY_AFTER:
                break
            logger.info("Telegram %s failed (%s), retrying in %.1f s.", method, status or description, wait)
            await asyncio.sleep(wait)
        logger.warning("Telegram %s failed: %s %s", method, status, description)
        return ApiReply(False, None, status, description)

    def file_url(self, file_path: str) -> str:
        # Files live beside the methods: .../bot<token>/getFile -> .../file/bot<token>/<path>
        head, _, _ = self.base.rpartition("/bot")
        return f"{head}/file/bot{self.token}/{file_path}"

    async def download(self, file_id: str, max_bytes: int) -> bytes | None:
        """A file sent to the bot (getFile, then the file itself), or None."""
        found = await self.call("getFile", {"file_id": file_id})
        file_path = (found.result or {}).get("file_path") if found.ok and isinstance(found.result, dict) else None
        if not file_path:
            return None
        try:
            session = await self.session()
            async with session.get(self.file_url(str(file_path))) as reply:
                if reply.status != 200:
                    logger.warning("Telegram file download failed: %s", reply.status)
                    return None
                data = await reply.content.read(max_bytes + 1)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            logger.warning("Telegram file download failed: %s", type(error).__name__)
            return None
        return data if len(data) <= max_bytes else None

    @staticmethod
    def _body(params: Dict[str, Any], files: Dict[str, Tuple[str, bytes, str]] | None) -> Dict[str, Any]:
        if not files:
            return {"json": params}
        form = aiohttp.FormData()
        for key, value in params.items():
            form.add_field(key, value if isinstance(value, str) else json.dumps(value))
        for key, (filename, content, content_type) in files.items():
            form.add_field(key, content, filename=filename, content_type=content_type)
        return {"data": form}


class TelegramOutput(OutputChannel):
    """Sends replies through the Bot API; never raises (errors are logged)."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    def __init__(self, api: BotApi, callbacks: CallbackData) -> None:
        self.api, self.callbacks = api, callbacks
        self.sent = 0

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        try:
            await self.send_message(chat_id_of(recipient_id), message)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("Sending a Telegram reply failed.")

    async def send_message(self, chat_id: str, message: Dict[str, Any]) -> None:
        text, buttons = str(message.get("text") or ""), message.get("buttons") or message.get("quick_replies") or []
        keyboard = inline_keyboard(buttons, self.callbacks) if isinstance(buttons, list) else None
        if text or keyboard:
            await self.send_text(chat_id, text or "Choose one:", keyboard)
        if isinstance(message.get("custom"), dict):
            await self.send_custom(chat_id, message["custom"])
        if isinstance(message.get("image"), str) and message["image"].startswith(("http://", "https://")):
            await self._count(self.api.call("sendPhoto", {"chat_id": chat_id, "photo": message["image"]}))

    async def send_text(self, chat_id: str, markdown: str, keyboard: Dict[str, Any] | None = None) -> None:
        pieces = split_html(to_html(markdown)) or [escape_html(markdown.strip()) or "…"]
        for i, piece in enumerate(pieces):
            params: Dict[str, Any] = {"chat_id": chat_id, "text": piece, "parse_mode": "HTML"}
            if keyboard and i == len(pieces) - 1:
                params["reply_markup"] = keyboard
            if (await self._count(self.api.call("sendMessage", params))).bad_markup:
                # Markup Telegram could not parse: send the piece as plain text.
                params.pop("parse_mode")
                params["text"] = strip_html(piece)
                await self._count(self.api.call("sendMessage", params))

    async def send_custom(self, chat_id: str, custom: Dict[str, Any]) -> None:
        if custom.get("type") != "muscle_suggestions":
            return  # red_flag and others: the text says it all
        muscles = [m for m in custom.get("muscles") or [] if isinstance(m, dict) and m.get("id")]
        if not muscles:
            return
        side = custom.get("side") if custom.get("side") in ("left", "right") else None
        ids = tuple(str(m["id"]) for m in muscles)
        loop = asyncio.get_running_loop()
        picture = await loop.run_in_executor(None, bodymap.picture, ids, side, "png")
        names = ", ".join(str(m.get("name") or m["id"]) for m in muscles)
        caption = truncate_html(escape_html(BODYMAP_CAPTION.format(names=names)), MAX_CAPTION)
        params = {"chat_id": chat_id, "caption": caption, "parse_mode": "HTML"}
        await self._count(self.api.call("sendPhoto", params, files={"photo": ("bodymap.png", picture, "image/png")}))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text, "buttons": buttons})

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"custom": json_message})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"image": image})

    async def _count(self, call: Awaitable[ApiReply]) -> ApiReply:
        reply = await call
        self.sent += reply.ok
        return reply


class Collector(OutputChannel):
    """Keeps Rasa's replies whole (Rasa's CollectingOutputChannel splits text
    at blank lines) to send after the turn is saved."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    def __init__(self) -> None:
        self.messages: List[Dict[str, Any]] = []

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        self.messages.append(dict(message))


class TelegramInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "telegram"

    def __init__(
        self,
        token: str = "",
        secret_token: str = "",
        api_base: str = DEFAULT_API_BASE,
        webhook_url: str = "",
        rate_limit: int = DEFAULT_RATE_LIMIT,
    ) -> None:
        self.token, self.secret_token, self.webhook_url = token.strip(), secret_token.strip(), webhook_url.strip()
        self.api = BotApi(self.token, api_base.strip() or DEFAULT_API_BASE)
        self.callbacks = CallbackData()
        self.limiter = RateLimiter(rate_limit)
        self.tasks: Set[asyncio.Task] = set()
        self.chat_locks: Dict[str, Tuple[asyncio.Lock, int]] = {}  # lock, updates holding or awaiting it
        self.recent_updates: OrderedDict[int, None] = OrderedDict()
        self.voice = shared_service()
        self.app: Any = None  # set when the server starts: its agent holds the conversations
        if not self.enabled:
            logger.warning(
                "The Telegram channel is disabled (TELEGRAM_TOKEN or TELEGRAM_SECRET_TOKEN unset): its webhook answers 503."
            )

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        limit = credentials.get("rate_limit_per_minute")
        return cls(
            token=str(credentials.get("token") or ""),
            secret_token=str(credentials.get("secret_token") or ""),
            api_base=str(credentials.get("api_base") or DEFAULT_API_BASE),
            webhook_url=str(credentials.get("webhook_url") or ""),
            rate_limit=rate_limit_setting(limit),
        )

    @property
    def enabled(self) -> bool:
        return bool(self.token and self.secret_token)

    def get_output_channel(self) -> OutputChannel | None:
        return TelegramOutput(self.api, self.callbacks) if self.enabled else None

    def authorised(self, request: Request) -> bool:
        given = request.headers.get(SECRET_HEADER) or ""
        return hmac.compare_digest(given.encode("utf-8"), self.secret_token.encode("utf-8"))

    def is_duplicate(self, update_id: Any) -> bool:
        """Telegram may deliver an update twice; handle it once."""
        if not isinstance(update_id, int):
            return False
        if update_id in self.recent_updates:
            return True
        self.recent_updates[update_id] = None
        while len(self.recent_updates) > 1000:
            self.recent_updates.popitem(last=False)
        return False

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("telegram_webhook", __name__)

        @webhook.listener("before_server_start")
        async def keep_app(app: Any, _: Any) -> None:
            self.app = app

        @webhook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            await self.api.close()

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "disabled"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.enabled:
                return response.json({"error": "the Telegram channel is not configured"}, status=503)
            if not self.authorised(request):
                return response.json({"error": "wrong or missing secret token"}, status=403)
            try:
                update = request.json
            except Exception:
                update = None
            if not isinstance(update, dict):
                return response.json({"error": "the body must be a Telegram update (a JSON object)"}, status=400)
            if not self.is_duplicate(update.get("update_id")):
                self.start(self.handle_update(update, on_new_message))
            return response.json({"ok": True})

        return webhook

    def start(self, work: Coroutine[Any, Any, None]) -> None:
        """Run in the background, keeping a reference until it is done."""
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def handle_update(self, update: Dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        try:
            if isinstance(update.get("message"), dict):
                await self.handle_message(update["message"], on_new_message)
            elif isinstance(update.get("callback_query"), dict):
                await self.handle_callback(update["callback_query"], on_new_message)
            # edited_message, my_chat_member, channel_post...: nothing to do
        except Exception:
            logger.exception("Handling a Telegram update failed.")  # never the text: it is health data

    async def handle_message(self, message: Dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        chat_id = (message.get("chat") or {}).get("id")
        if chat_id is None:
            return
        output = TelegramOutput(self.api, self.callbacks)
        if any(key in message for key in ("voice", "audio", "video_note")):
            await self.handle_voice(str(chat_id), message, output, on_new_message)
            return
        if not isinstance(message.get("text"), str):
            await output.send_text(str(chat_id), TEXT_ONLY)
            return
        await self.respond(str(chat_id), user_text(clean_text(message["text"])), output, on_new_message)

    async def handle_voice(
        self, chat_id: str, message: Dict[str, Any], output: TelegramOutput, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """A voice note: recognised, echoed ("I heard: ..." so a mishearing
        is visible), answered in text, then read aloud as a voice note."""
        media = message.get("voice") or message.get("audio") or message.get("video_note") or {}
        file_id = media.get("file_id") if isinstance(media, dict) else None
        audio = await self.api.download(str(file_id), MAX_AUDIO_BYTES) if file_id else None
        sender = sender_id(chat_id)
        last = await last_reply(getattr(self.app.ctx, "agent", None) if self.app else None, sender)
        loop = asyncio.get_running_loop()
        try:
            heard = await loop.run_in_executor(None, self.voice.hear, audio, last.script().expected()) if audio else None
        except AudioError:
            heard = None
        if heard is None:
            await output.send_text(chat_id, VOICE_UNUSABLE)
            return
        if not heard.text:
            await output.send_text(chat_id, NOT_HEARD)
            return
        await output.send_text(chat_id, HEARD.format(text=heard.text))

        async def run(text: str) -> List[Dict[str, Any]]:
            return await self.respond(chat_id, text, output, on_new_message)

        # The written replies go out whole as text; the voice note says their
        # short form ("next", "repeat"... walk it, with a voice note only).
        turn = await spoken_turn(self.voice, last, sender, heard.text, run)
        if turn.said.text:
            await self.send_voice(chat_id, turn.said)

    async def send_voice(self, chat_id: str, said: Said) -> None:
        loop = asyncio.get_running_loop()
        try:
            note = await loop.run_in_executor(None, self.voice.say, said.text, "ogg", said.slow)
        except Exception:
            logger.exception("Reading a Telegram reply aloud failed.")  # the text reply went out already
            return
        if note:
            await self.api.call("sendVoice", {"chat_id": chat_id}, files={"voice": ("reply.ogg", note, "audio/ogg")})

    async def handle_callback(self, query: Dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        data = query.get("data")
        payload = self.callbacks.resolve(data) if isinstance(data, str) else None
        answer: Dict[str, Any] = {"callback_query_id": query.get("id")}
        if payload is None:
            answer["text"] = BUTTON_EXPIRED
        await self.api.call("answerCallbackQuery", answer)
        chat_id = ((query.get("message") or {}).get("chat") or {}).get("id")
        if payload is None or chat_id is None:
            return
        await self.respond(str(chat_id), payload, TelegramOutput(self.api, self.callbacks), on_new_message)

    async def respond(
        self, chat_id: str, text: str, output: TelegramOutput, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> List[Dict[str, Any]]:
        """Runs the turn, sends the replies and returns them."""
        sender = sender_id(chat_id)
        early = refusal(text, sender, self.limiter)
        if early:
            await output.send_text(chat_id, early)
            return [{"text": early}]
        lock, users = self.chat_locks.get(chat_id) or (asyncio.Lock(), 0)
        self.chat_locks[chat_id] = (lock, users + 1)
        try:
            async with lock:
                collector = Collector()
                typing = asyncio.create_task(self.keep_typing(chat_id))
                try:
                    await on_new_message(UserMessage(text, collector, sender, input_channel=self.name()))
                except Exception:
                    logger.exception("Handling a Telegram message failed.")  # never the text
                finally:
                    typing.cancel()
                # The turn is saved: from here on, nothing can lose the user's message.
                for message in collector.messages:
                    await output.send_response(sender, message)
                if not collector.messages:
                    await output.send_text(chat_id, ACTIONS_DOWN)
                return collector.messages or [{"text": ACTIONS_DOWN}]
        finally:
            lock, users = self.chat_locks[chat_id]
            if users <= 1:
                del self.chat_locks[chat_id]
            else:
                self.chat_locks[chat_id] = (lock, users - 1)

    async def keep_typing(self, chat_id: str) -> None:
        while True:
            await self.api.call("sendChatAction", {"chat_id": chat_id, "action": "typing"}, retries=0)
            await asyncio.sleep(TYPING_EVERY)
