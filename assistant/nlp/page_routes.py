"""Adds the chat page and body-map routes (assistant/channels/pages.py) and
the pain diary's files (assistant/channels/diary_files.py) to
the app Rasa builds, whichever channels `credentials.yml` lists.

Rasa mounts a channel's routes under /webhooks/<channel>/; the page and the
maps the REST replies link to (`/bodymap.svg?...`) live at the root, so
they are added where Rasa makes the app: `rasa.core.run.configure_app`.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import rasa.core.run
from sanic import Sanic

from assistant.channels import diary_files, pages


def with_pages(configure_app: Callable[..., Sanic]) -> Callable[..., Sanic]:
    @functools.wraps(configure_app)
    def configure(*args: Any, **kwargs: Any) -> Sanic:
        app = configure_app(*args, **kwargs)
        app.blueprint(pages.blueprint())
        app.blueprint(diary_files.blueprint())
        return app

    configure.adds_pages = True  # type: ignore[attr-defined]
    return configure


def install() -> None:
    if not getattr(rasa.core.run.configure_app, "adds_pages", False):
        rasa.core.run.configure_app = with_pages(rasa.core.run.configure_app)
