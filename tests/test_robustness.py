"""Bad input never breaks the REST channel; a dead action server gets a polite reply."""

from __future__ import annotations

import http.server
import threading
import time

import pytest
import requests

from tests.conftest import Chat, texts


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   \n\t ",
        "🦵🔥😭",
        "Me duele la rodilla cuando bajo escaleras",
        "asdkjh qwpoeiru zxcmvn",
        "knee " * 2000,
        "null\x00byte\x07and\x1bcontrol",
        "<script>alert(1)</script>",
        "'; DROP TABLE events; --",
    ],
    ids=["empty", "whitespace", "emoji", "spanish", "gibberish", "10k-chars", "control-chars", "html", "sql"],
)
def test_odd_messages_get_a_sensible_reply(chat: Chat, message: str) -> None:
    replies = chat.say(message)
    assert replies and texts(replies).strip()


def test_oversized_message_is_refused_clearly(chat: Chat) -> None:
    assert "too long" in texts(chat.say("my knee hurts " * 1000)).lower()


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'{"sender": "x", "message": 42}', b'{"sender": {"a": 1}, "message": "hi"}', b'{"sender": "x"}'],
    ids=["not-json", "array", "number-message", "object-sender", "missing-message"],
)
def test_malformed_requests_get_a_400_not_a_500(servers, body: bytes) -> None:
    response = requests.post(
        f"{servers.rasa_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}, timeout=30
    )
    assert response.status_code == 400
    assert "error" in response.json()


def test_stopped_action_server_gets_a_polite_fallback_and_recovers(servers) -> None:
    chat = Chat(servers)
    servers.stop("actions")
    try:
        started = time.monotonic()
        replies = chat.say("my knee buckles going down stairs")
        assert time.monotonic() - started < 10
        assert "try again" in texts(replies).lower()
    finally:
        servers.start_actions()
    assert "Releasing the" in texts(Chat(servers).say_screened("my knee buckles going down stairs"))


def test_logs_carry_no_message_text(servers) -> None:
    marker = "zebracrossingpainmarker"
    Chat(servers).say(f"my knee buckles near the {marker}")
    for log in servers.log_dir.glob("*.log"):
        assert marker not in log.read_text(errors="replace"), log.name


def test_flooding_sender_gets_a_polite_slow_down(servers) -> None:
    chat = Chat(servers)
    replies = [texts(chat.say("hi")) for _ in range(32)]
    assert "wait a few seconds" in replies[-1].lower()
    assert "wait a few seconds" not in texts(Chat(servers).say("hi")).lower(), "other senders are not affected"


class SlowHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        time.sleep(8)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_hung_action_server_times_out_to_a_polite_fallback(servers) -> None:
    servers.stop("actions")
    slow = http.server.ThreadingHTTPServer(("127.0.0.1", servers.action_port), SlowHandler)
    thread = threading.Thread(target=slow.serve_forever, daemon=True)
    thread.start()
    hung = Chat(servers)
    try:
        started = time.monotonic()
        replies = hung.say("my knee buckles going down stairs")
        assert time.monotonic() - started < 10, "the turn must not wait for the hung server"
        assert "try again" in texts(replies).lower()
        # The late turn still finishes and stores what the person wrote.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            said = [e.get("text") for e in hung.tracker()["events"] if e["event"] == "user"]
            if "my knee buckles going down stairs" in said:
                break
            time.sleep(0.5)
        else:
            pytest.fail("the message of the timed-out turn was lost")
    finally:
        slow.shutdown()
        slow.server_close()
        servers.start_actions()
    assert "Releasing the" in texts(Chat(servers).say_screened("my knee buckles going down stairs"))


def test_message_text_reaches_logs_only_with_the_debug_flag(trained_model, tmp_path) -> None:
    from assistant.tools.servers import running_assistant

    marker = "giraffekneemarkerdebug"
    with running_assistant(trained_model, env={"DEBUG_LOGS": "true"}, log_dir=tmp_path) as debug_servers:
        Chat(debug_servers).say(f"my knee buckles near the {marker}")
    assert marker in (tmp_path / "rasa.log").read_text(errors="replace")
