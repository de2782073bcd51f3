"""Rasa's replies to Telegram: text as HTML in pieces, buttons as an inline
keyboard, the body map of suggested muscles and the pain chart as photos,
the summary for a physiotherapist as a PDF document."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Dict, List

from rasa.core.channels.channel import OutputChannel

from assistant import bodymap
from assistant.channels import diary_files
from assistant.channels.telegram.bot_api import BotApi
from assistant.channels.telegram.chats import CallbackData, chat_id_of
from assistant.channels.telegram.format import (
    MAX_CAPTION,
    escape_html,
    inline_keyboard,
    split_html,
    strip_html,
    to_html,
    truncate_html,
)
from assistant.sides import pictured_side

logger = logging.getLogger(__name__)

BODYMAP_CAPTION = "Where these muscles send pain (solid: main zones, striped: spillover): {names}."
CHART_CAPTION = "Your pain over the last weeks, 0 (none) to 10 (worst)."
SUMMARY_CAPTION = "Your summary to take to a physiotherapist."


class TelegramOutput(OutputChannel):
    """Sends replies through the Bot API; never raises (errors are logged)."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    def __init__(self, api: BotApi, callbacks: CallbackData, agent: Callable[[], Any] = lambda: None) -> None:
        # The agent holds the conversations the diary's chart and summary are drawn from.
        self.api, self.callbacks, self.agent = api, callbacks, agent

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
            await self.api.call("sendPhoto", {"chat_id": chat_id, "photo": message["image"]})

    async def send_text(self, chat_id: str, markdown: str, keyboard: Dict[str, Any] | None = None) -> None:
        pieces = split_html(to_html(markdown)) or [escape_html(markdown.strip()) or "…"]
        for i, piece in enumerate(pieces):
            params: Dict[str, Any] = {"chat_id": chat_id, "text": piece, "parse_mode": "HTML"}
            if keyboard and i == len(pieces) - 1:
                params["reply_markup"] = keyboard
            if (await self.api.call("sendMessage", params)).bad_markup:
                # Markup Telegram could not parse: send the piece as plain text.
                params.pop("parse_mode")
                params["text"] = strip_html(piece)
                await self.api.call("sendMessage", params)

    async def send_custom(self, chat_id: str, custom: Dict[str, Any]) -> None:
        if custom.get("type") in ("progress", "summary"):
            await self.send_diary_file(chat_id, custom)
            return
        if custom.get("type") != "muscle_suggestions":
            return  # red_flag and others: the text says it all
        muscles = [m for m in custom.get("muscles") or [] if isinstance(m, dict) and m.get("id")]
        if not muscles:
            return
        side = pictured_side(custom.get("side"))
        ids = tuple(str(m["id"]) for m in muscles)
        loop = asyncio.get_running_loop()
        picture = await loop.run_in_executor(None, bodymap.picture, ids, side, "png")
        names = ", ".join(str(m.get("name") or m["id"]) for m in muscles)
        caption = truncate_html(escape_html(BODYMAP_CAPTION.format(names=names)), MAX_CAPTION)
        params = {"chat_id": chat_id, "caption": caption, "parse_mode": "HTML"}
        await self.api.call("sendPhoto", params, files={"photo": ("bodymap.png", picture, "image/png")})

    async def send_diary_file(self, chat_id: str, custom: Dict[str, Any]) -> None:
        """The chart as a photo, or the summary as a PDF document, drawn here:
        Telegram cannot fetch the server's links itself."""
        progress = custom["type"] == "progress"
        token = diary_files.token_in(custom.get("image") if progress else custom.get("pdf"))
        name = "chart.png" if progress else "summary.pdf"
        found = await diary_files.drawn(self.agent(), token, name) if token else None
        if found is None:
            return
        body, content_type = found
        kind = "photo" if progress else "document"
        params = {"chat_id": chat_id, "caption": CHART_CAPTION if progress else SUMMARY_CAPTION}
        files = {kind: (f"pain-diary-{name}", body, content_type)}
        await self.api.call("sendPhoto" if progress else "sendDocument", params, files=files)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text, "buttons": buttons})

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"custom": json_message})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"image": image})



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
