"""`make shell`: chat with the assistant in the terminal over REST.

Starts its own servers on free ports, so it works next to `make run`.
"""

from __future__ import annotations

import contextlib
import json
import sys
import uuid

import requests
from rich.console import Console
from rich.markdown import Markdown

from assistant.tools.run import MODEL
from assistant.tools.servers import running_assistant


def render(console: Console, reply: dict) -> None:
    if reply.get("text"):
        console.print(Markdown(reply["text"]))
    for i, button in enumerate(reply.get("buttons") or [], 1):
        console.print(f"  [cyan]{i}.[/cyan] {button['title']}")
    if reply.get("custom"):
        console.print(f"[dim]{json.dumps(reply['custom'])[:300]}[/dim]")


def main() -> int:
    console = Console()
    sender = f"shell-{uuid.uuid4().hex[:8]}"
    with contextlib.ExitStack() as stack:
        with console.status("Starting the assistant (about 10 s)..."):
            servers = stack.enter_context(running_assistant(MODEL, enable_api=False))
        console.print("[green]Ready.[/green] Type a message (a number presses a button), Ctrl-D to quit.")
        buttons: list = []
        while True:
            try:
                text = console.input("[bold]you>[/bold] ")
            except (EOFError, KeyboardInterrupt):
                return 0
            if text.strip().isdigit() and 0 < int(text) <= len(buttons):
                text = buttons[int(text) - 1]["payload"]
            replies = requests.post(
                f"{servers.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
            ).json()
            buttons = [b for r in replies for b in (r.get("buttons") or [])]
            for reply in replies:
                render(console, reply)
    return 0

if __name__ == "__main__":
    sys.exit(main())
