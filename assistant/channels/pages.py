"""The chat page (`/chat`), its static files (`/web/<file>`) and the body
maps (`/bodymap.svg` and `/bodymap.png?muscles=a,b&side=left`;
`/bodymap.svg?picker=1` is the map to tap).

They belong to the server, not to a channel: the REST replies link to the
body maps whether or not socket.io is on. assistant/nlp/page_routes.py adds
this blueprint to the app Rasa builds.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Dict

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from assistant import bodymap
from assistant.knowledge.loader import default_knowledge
from assistant.sides import pictured_side

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


def blueprint() -> Blueprint:
    pages = Blueprint("assistant_pages")
    pages.add_route(chat_page, "/chat", methods=["GET"], name="web_chat_page")
    pages.add_route(web_file, "/web/<name:path>", methods=["GET"], name="web_chat_file")
    pages.add_route(bodymap_svg, "/bodymap.svg", methods=["GET"], name="web_bodymap_svg")
    pages.add_route(bodymap_png, "/bodymap.png", methods=["GET"], name="web_bodymap_png")
    return pages
