"""`make telegram-webhook`: tell Telegram where our webhook is.

Calls setWebhook with TELEGRAM_WEBHOOK_URL (the public https address of
/webhooks/telegram/webhook), TELEGRAM_SECRET_TOKEN (Telegram sends it back in
X-Telegram-Bot-Api-Secret-Token on every call) and only the update kinds the
channel handles, then prints the Bot API's answer. TELEGRAM_API_BASE points it
at another Bot API server (default https://api.telegram.org/bot).
No Rasa imports.
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any, Dict, List, Mapping

import requests

from assistant.channels.telegram.bot_api import DEFAULT_API_BASE

ALLOWED_UPDATES = ["message", "callback_query"]
SECRET_FORMAT = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def problems(env: Mapping[str, str]) -> List[str]:
    """What is missing or malformed in the environment (empty when ready)."""
    found = []
    for name, what in (
        ("TELEGRAM_TOKEN", "the bot token from @BotFather"),
        ("TELEGRAM_WEBHOOK_URL", "the public https address of /webhooks/telegram/webhook"),
        ("TELEGRAM_SECRET_TOKEN", "a random secret, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`"),
    ):
        if not env.get(name, "").strip():
            found.append(f"{name} is not set: {what}.")
    secret = env.get("TELEGRAM_SECRET_TOKEN", "").strip()
    if secret and not SECRET_FORMAT.match(secret):
        found.append("TELEGRAM_SECRET_TOKEN may only hold 1-256 characters A-Z, a-z, 0-9, _ and -.")
    return found


def webhook_request(env: Mapping[str, str]) -> tuple[str, Dict[str, Any]]:
    """The setWebhook address and body."""
    base = (env.get("TELEGRAM_API_BASE") or DEFAULT_API_BASE).strip().rstrip("/")
    body: Dict[str, Any] = {
        "url": env["TELEGRAM_WEBHOOK_URL"].strip(),
        "secret_token": env["TELEGRAM_SECRET_TOKEN"].strip(),
        "allowed_updates": ALLOWED_UPDATES,
    }
    return f"{base}{env['TELEGRAM_TOKEN'].strip()}/setWebhook", body


def main(env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    missing = problems(env)
    if missing:
        print("Cannot register the Telegram webhook:", *missing, sep="\n  ", file=sys.stderr)
        return 2
    url, body = webhook_request(env)
    try:
        answer = requests.post(url, json=body, timeout=30)
    except requests.RequestException as error:
        # The address holds the bot token: name only the kind of error.
        print(f"Cannot reach the Bot API: {type(error).__name__}.", file=sys.stderr)
        return 1
    try:
        result = answer.json()
    except ValueError:
        print(f"The Bot API answered HTTP {answer.status_code} without JSON.", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2))
    return 0 if answer.ok and isinstance(result, dict) and result.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
