"""The pain diary's chart and summary at `/diary/<token>/<file>`:
chart.svg, chart.png, summary.pdf and summary.csv.

The token is the only key: 256 random bits, noted against its conversation
by the tracker store (assistant/nlp/diary_links.py), live for an hour. The
files are drawn on request from the conversation's `diary_exports` slot, so
nothing is written to disk and "delete my data", which erases the
conversation and its links, leaves nothing to serve.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any, Callable, Dict, Tuple

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from assistant.diary.chart import render
from assistant.diary.summary import Summary, csv_bytes, pdf_bytes

SLOT = "diary_exports"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
_PATH = re.compile(r"/diary/(?P<token>[A-Za-z0-9_-]{32,64})/")
# A link is noted when its turn is stored, which socket.io does not wait
# for: the page may ask for the chart a moment before. An unknown token is
# looked up again for this long (an invalid one is refused that much later).
NOTED_WITHIN_S = 3.0
LOOK_AGAIN_S = 0.25

# File name -> (content type, how to draw it, which links may give it).
FILES: Dict[str, Tuple[str, Callable[[Summary], bytes], Tuple[str, ...]]] = {
    "chart.svg": ("image/svg+xml", lambda s: render(s.pain, "svg"), ("progress", "summary")),
    "chart.png": ("image/png", lambda s: render(s.pain, "png"), ("progress", "summary")),
    "summary.pdf": ("application/pdf", pdf_bytes, ("summary",)),
    "summary.csv": ("text/csv; charset=utf-8", csv_bytes, ("summary",)),
}


def token_in(url: Any) -> str | None:
    """The token of a diary link path, as the replies carry it."""
    found = _PATH.search(url) if isinstance(url, str) else None
    return found["token"] if found else None


async def drawn(agent: Any, token: str, name: str) -> Tuple[bytes, str] | None:
    """The file's bytes and content type, or None when the link is unknown,
    expired, erased or not for this file."""
    if name not in FILES or not _TOKEN.match(token) or agent is None:
        return None
    store = getattr(agent.tracker_store, "_tracker_store", agent.tracker_store)  # inside Rasa's FailSafeTrackerStore
    if not hasattr(store, "link_owner"):
        return None
    loop = asyncio.get_running_loop()
    sender = await loop.run_in_executor(None, store.link_owner, token)
    deadline = time.monotonic() + NOTED_WITHIN_S
    while sender is None and time.monotonic() < deadline:
        await asyncio.sleep(LOOK_AGAIN_S)
        sender = await loop.run_in_executor(None, store.link_owner, token)
    tracker = await store.retrieve(sender) if sender else None
    exports = tracker.get_slot(SLOT) if tracker else None
    export = exports.get(token) if isinstance(exports, dict) else None
    content_type, draw, kinds = FILES[name]
    if not isinstance(export, dict) or export.get("kind") not in kinds or float(export.get("expires") or 0) < time.time():
        return None
    content = Summary.from_dict(export.get("summary") or {})
    return await loop.run_in_executor(None, draw, content), content_type


async def diary_file(request: Request, token: str, name: str) -> HTTPResponse:
    found = await drawn(getattr(request.app.ctx, "agent", None), token, name)
    if found is None:
        # The same answer for unknown, expired and erased links: nothing to learn from it.
        return response.text("This link has expired or was never valid.", status=404)
    body, content_type = found
    headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
    if name.startswith("summary."):
        headers["Content-Disposition"] = f'{"inline" if name.endswith(".pdf") else "attachment"}; filename="pain-diary-{name}"'
    return response.raw(body, content_type=content_type, headers=headers)


def blueprint() -> Blueprint:
    files = Blueprint("diary_files")
    files.add_route(diary_file, "/diary/<token>/<name>", methods=["GET"], name="diary_file")
    return files
