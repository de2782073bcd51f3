"""Pure helpers for the Telegram channel: HTML formatting, splitting to
Telegram's limits, inline keyboards and command mapping. No Rasa.

Replies carry light markdown (**bold**, _italic_); Telegram gets them as
parse_mode HTML, with &, < and > escaped first so no user or knowledge-base
text can break the markup.
"""

from __future__ import annotations

import re
from typing import Dict, List, Sequence

from assistant.channels.telegram.chats import CallbackData

MAX_MESSAGE = 4096  # characters of a sendMessage text
MAX_CAPTION = 1024  # characters of a sendPhoto caption

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.S)
_ITALIC = re.compile(r"(?<![\w*])_(?=\S)(.+?)(?<=\S)_(?!\w)", re.S)
_TOKEN = re.compile(r"<[^>]*>|&[a-z]+;|.", re.S)
_TAG = re.compile(r"<(/?)([a-z]+)>")
_EMPTY_PAIR = re.compile(r"<([a-z]+)>\s*</\1>")


def escape_html(text: str) -> str:
    """The three characters Telegram's HTML parse mode needs escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_html(markdown: str) -> str:
    """Escape, then turn **bold** into <b> and _italic_ into <i>."""
    html = escape_html(markdown)
    html = _BOLD.sub(r"<b>\1</b>", html)
    return _ITALIC.sub(r"<i>\1</i>", html)


def strip_html(html: str) -> str:
    """Plain text of our own HTML (the fallback when Telegram rejects markup)."""
    text = _TAG.sub("", html)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def telegram_length(text: str) -> int:
    """Telegram counts UTF-16 code units (an emoji counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def _open_tags(html: str) -> List[str]:
    stack: List[str] = []
    for closing, name in _TAG.findall(html):
        if not closing:
            stack.append(name)
        elif name in stack:
            del stack[len(stack) - 1 - stack[::-1].index(name)]
    return stack


def _cut_index(tokens: Sequence[str], budget: int) -> int:
    """How many tokens fit in `budget`, cut at the best boundary: a blank
    line, else a line break, else a space, else anywhere (never inside a tag
    or an entity, which are single tokens)."""
    used, fit = 0, 0
    for token in tokens:
        size = telegram_length(token)
        if used + size > budget:
            break
        used += size
        fit += 1
    fit = max(fit, 1)
    for separator in ("\n\n", "\n", " "):
        for i in range(fit, max(fit // 3, 1) - 1, -1):
            # the cut goes before tokens[i]: after the separator
            if "".join(tokens[max(0, i - len(separator)) : i]) == separator and i > len(separator):
                return i
    return fit


def split_html(html: str, limit: int = MAX_MESSAGE) -> List[str]:
    """Pieces of at most `limit` characters, each valid HTML on its own:
    tags open at a cut are closed at the end of the piece and reopened at
    the start of the next."""
    reserve = 32  # room for the closing and reopening tags
    pieces: List[str] = []
    rest = html.strip()
    while telegram_length(rest) > limit:
        tokens = _TOKEN.findall(rest)
        cut = _cut_index(tokens, max(limit - reserve, 1))
        head, tail = "".join(tokens[:cut]).rstrip(), "".join(tokens[cut:]).lstrip()
        still_open = _open_tags(head)
        head += "".join(f"</{name}>" for name in reversed(still_open))
        rest = "".join(f"<{name}>" for name in still_open) + tail
        head = _EMPTY_PAIR.sub("", head).strip()
        if head:
            pieces.append(head)
    rest = _EMPTY_PAIR.sub("", rest).strip()
    if rest:
        pieces.append(rest)
    return pieces


def truncate_html(html: str, limit: int = MAX_CAPTION) -> str:
    """The first piece of `html` that fits (for photo captions)."""
    pieces = split_html(html, limit)
    return pieces[0] if pieces else ""


def inline_keyboard(buttons: Sequence[Dict[str, object]], callbacks: CallbackData) -> Dict[str, object] | None:
    """One button per row (titles are sentences)."""
    rows = []
    for button in buttons:
        title, payload = str(button.get("title") or "").strip(), str(button.get("payload") or "").strip()
        if title and payload:
            rows.append([{"text": title[:64], "callback_data": callbacks.encode(payload)}])
    return {"inline_keyboard": rows} if rows else None


# Telegram commands -> the intent payloads of the matching flows.
COMMANDS = {"start": "/greet", "help": "/help", "delete": "/delete_my_data"}
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,64})(?:@[A-Za-z0-9_]+)?(?:\s|$)")


def user_text(text: str) -> str:
    """What Rasa gets for a typed message.

    /start, /help and /delete become intent payloads; any other command gets
    the help flow. Other text starting with "/" loses the slash, so nobody
    can type an intent payload that Rasa would take at face value."""
    match = _COMMAND.match(text)
    if match:
        return COMMANDS.get(match.group(1).lower(), "/help")
    return text.lstrip("/").strip() if text.startswith("/") else text
