"""The Telegram webhook: Rasa's input channel (see the package for the rules)."""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any, Awaitable, Callable, Coroutine, Dict, List, Set

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
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
from assistant.channels.telegram.bot_api import DEFAULT_API_BASE, BotApi
from assistant.channels.telegram.chats import CallbackData, ChatLocks, SeenUpdates, chat_id_of, sender_id
from assistant.channels.telegram.format import user_text
from assistant.channels.telegram.output import Collector, TelegramOutput
from assistant.channels.telegram.typing_indicator import keep_typing
from assistant.channels.telegram.voice_notes import VoiceNotes, is_voice
from assistant.nlp.reminder_jobs import Reminders
from assistant.voice.service import shared_service

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TEXT_ONLY = "I can only read text for now. Please type where it hurts and what it feels like."
BUTTON_EXPIRED = "That button has expired. Please type your question instead."
# What a check-in reminder runs in the conversation (actions/reminders.py).
ACTION_CHECK_IN = "action_check_in"

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


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
        self.chat_locks = ChatLocks()
        self.seen = SeenUpdates()
        self.voice_notes = VoiceNotes(self.api, shared_service())
        self.app: Any = None  # set when the server starts: its agent holds the conversations
        self.reminders: Reminders | None = None
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
        return self.output() if self.enabled else None

    def output(self) -> TelegramOutput:
        return TelegramOutput(self.api, self.callbacks, lambda: getattr(self.app.ctx, "agent", None) if self.app else None)

    def authorised(self, request: Request) -> bool:
        given = request.headers.get(SECRET_HEADER) or ""
        return hmac.compare_digest(given.encode("utf-8"), self.secret_token.encode("utf-8"))

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint("telegram_webhook", __name__)

        @webhook.listener("before_server_start")
        async def keep_app(app: Any, _: Any) -> None:
            self.app = app

        @webhook.listener("after_server_start")
        async def start_reminders(app: Any, _: Any) -> None:
            # After Rasa's own listener has loaded the agent and its store.
            agent = getattr(app.ctx, "agent", None)
            store = getattr(agent.tracker_store, "_tracker_store", agent.tracker_store) if agent else None
            engine = getattr(store, "engine", None)  # an SQL store: reminders need its database
            if not self.enabled or engine is None:
                return
            self.reminders = Reminders(engine, self.check_in)
            self.reminders.start()

        @webhook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            if self.reminders is not None:
                self.reminders.stop()
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
            if not self.seen.is_duplicate(update.get("update_id")):
                self.start(self.handle_update(update, on_new_message))
            return response.json({"ok": True})

        return webhook

    def start(self, work: Coroutine[Any, Any, None]) -> None:
        """Run in the background, keeping a reference until it is done."""
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def check_in(self, sender: str) -> None:
        """A reminder fell due: run the check-in in the conversation, as a
        turn of its own, and send what it says."""
        agent = getattr(self.app.ctx, "agent", None) if self.app else None
        if agent is None:
            raise RuntimeError("the model is not loaded yet")
        chat_id, collector = chat_id_of(sender), Collector()
        async with self.chat_locks.hold(chat_id):
            async with agent.lock_store.lock(sender):
                # A day later the session has usually expired: start the new
                # one here and drop its welcome-back, so the reminder is one
                # short message.
                tracker = await agent.processor.fetch_tracker_and_update_session(sender, Collector())
                await agent.processor.save_tracker(tracker)
                await agent.execute_action(sender, ACTION_CHECK_IN, collector, None, None)
                # Then wait for the answer, as after any turn: the policies
                # read the next message only after a listen.
                await agent.execute_action(sender, ACTION_LISTEN_NAME, collector, None, None)
            output = self.output()
            for message in collector.messages:
                await output.send_response(sender, message)

    async def handle_update(self, update: Dict[str, Any], on_new_message: OnNewMessage) -> None:
        try:
            if isinstance(update.get("message"), dict):
                await self.handle_message(update["message"], on_new_message)
            elif isinstance(update.get("callback_query"), dict):
                await self.handle_callback(update["callback_query"], on_new_message)
            # edited_message, my_chat_member, channel_post...: nothing to do
        except Exception:
            logger.exception("Handling a Telegram update failed.")  # never the text: it is health data

    async def handle_message(self, message: Dict[str, Any], on_new_message: OnNewMessage) -> None:
        chat = (message.get("chat") or {}).get("id")
        if chat is None:
            return
        chat_id, output = str(chat), self.output()
        if is_voice(message):

            async def respond(text: str, metadata: Dict[str, Any] | None) -> List[Dict[str, Any]]:
                return await self.respond(chat_id, text, output, on_new_message, metadata)

            agent = getattr(self.app.ctx, "agent", None) if self.app else None
            await self.voice_notes.answer(chat_id, message, output, agent, respond)
            return
        if not isinstance(message.get("text"), str):
            await output.send_text(chat_id, TEXT_ONLY)
            return
        await self.respond(chat_id, user_text(clean_text(message["text"])), output, on_new_message)

    async def handle_callback(self, query: Dict[str, Any], on_new_message: OnNewMessage) -> None:
        data = query.get("data")
        payload = self.callbacks.resolve(data) if isinstance(data, str) else None
        answer: Dict[str, Any] = {"callback_query_id": query.get("id")}
        if payload is None:
            answer["text"] = BUTTON_EXPIRED
        await self.api.call("answerCallbackQuery", answer)
        chat_id = ((query.get("message") or {}).get("chat") or {}).get("id")
        if payload is None or chat_id is None:
            return
        await self.respond(str(chat_id), payload, self.output(), on_new_message)

    async def respond(
        self, chat_id: str, text: str, output: TelegramOutput, on_new_message: OnNewMessage, metadata: Dict[str, Any] | None = None
    ) -> List[Dict[str, Any]]:
        """Runs the turn (with the voice note's metadata, if any), sends the replies and returns them."""
        sender = sender_id(chat_id)
        early = refusal(text, sender, self.limiter)
        if early:
            await output.send_text(chat_id, early)
            return [{"text": early}]
        async with self.chat_locks.hold(chat_id):
            collector = Collector()
            typing = asyncio.create_task(keep_typing(self.api, chat_id))
            try:
                await on_new_message(UserMessage(text, collector, sender, input_channel=self.name(), metadata=metadata))
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
