"""`make run`: start the action server and the Rasa server, then wait.

Ports come from RASA_PORT (5005) and ACTION_PORT (5055); HOST (127.0.0.1)
sets the interface the Rasa server listens on. Ctrl-C stops both.
"""

from __future__ import annotations

import os
import signal
import sys
import time

from rich.console import Console

from assistant.tools.servers import ROOT, Servers, StartupError, base_env

MODEL = ROOT / "models" / "assistant.tar.gz"


def servers_from_env() -> Servers:
    rasa_port, action_port = int(os.environ.get("RASA_PORT", "5005")), int(os.environ.get("ACTION_PORT", "5055"))
    env = base_env({"ACTION_ENDPOINT_URL": os.environ.get("ACTION_ENDPOINT_URL", f"http://127.0.0.1:{action_port}/webhook")})
    log_dir = ROOT / "logs"
    log_dir.mkdir(exist_ok=True)
    return Servers(
        rasa_port=rasa_port,
        action_port=action_port,
        token="",
        log_dir=log_dir,
        env=env,
        model=MODEL,
        host=os.environ.get("HOST", "127.0.0.1"),
    )


def main() -> int:
    console = Console()
    if not MODEL.exists():
        console.print("[red]No trained model found.[/red] Run `make run`, which trains it first.")
        return 1
    servers = servers_from_env()
    # Ctrl-C reaches the whole process group; the children stop in `finally`.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        with console.status("Starting the assistant (about 10 s)..."):
            servers.start_both(enable_api=False)
        console.print(f"[green]The assistant is ready.[/green]\n"
                      f"  REST:     POST {servers.rasa_url}/webhooks/rest/webhook  {{\"sender\": \"me\", \"message\": \"my knee buckles\"}}\n"
                      f"  web chat: {servers.rasa_url}/chat\n"
                      f"  socket.io: {servers.rasa_url}/socket.io\n"
                      f"  voice:    POST {servers.rasa_url}/webhooks/voice/webhook  (form: audio=@speech.wav, sender=me)\n"
                      f"  actions:  {servers.action_url}/health\n"
                      f"  logs:     {servers.log_dir.relative_to(ROOT)}/\n"
                      "Press Ctrl-C to stop.")
        while all(p.poll() is None for p in servers.processes.values()):
            time.sleep(1)
        console.print("[red]A server stopped unexpectedly; see logs/.[/red]")
        return 1
    except StartupError as err:
        console.print(f"[red]Could not start:[/red] {err}")
        return 1
    except KeyboardInterrupt:
        console.print("\nStopping...")
        return 0
    finally:
        servers.stop_all()


if __name__ == "__main__":
    sys.exit(main())
