"""The socket.io channel is on and keeps a conversation across reconnects."""

from __future__ import annotations

import asyncio

import jwt
import pytest
import socketio

from tests.conftest import open_socket_session, rasa_with_credentials

JWT_KEY = "a-test-secret-that-signs-tokens"


async def exchange(url: str, session_id: str, message: str, until: str) -> list:
    """Send one message and collect replies until one contains `until`."""
    client = socketio.AsyncClient()
    received: list = []
    done, confirmed = asyncio.Event(), asyncio.Event()

    @client.on("session_confirm")
    async def on_confirm(_: str) -> None:
        confirmed.set()

    @client.on("bot_uttered")
    async def on_bot(data: dict) -> None:
        received.append(data)
        if until in str(data):
            done.set()

    await client.connect(url, transports=["websocket"], socketio_path="/socket.io")
    await client.emit("session_request", {"session_id": session_id})
    # Replies go to the session's room: join it before speaking.
    await asyncio.wait_for(confirmed.wait(), timeout=10)
    await client.emit("user_uttered", {"message": message, "session_id": session_id})
    try:
        await asyncio.wait_for(done.wait(), timeout=30)
    finally:
        await client.disconnect()
    return received


def test_symptom_over_socketio_gets_the_payload_and_the_session_survives(servers) -> None:
    # The payload, then the same map as a standard picture, at a full address.
    first = asyncio.run(exchange(servers.rasa_url, "socket-test-session", "my knee buckles going down stairs", "'attachment'"))
    custom = next(m["custom"] for m in first if m.get("custom"))
    assert custom["type"] == "muscle_suggestions"
    picture = next(m["attachment"] for m in first if m.get("attachment"))
    address = servers.rasa_url.removeprefix("http:")  # the page that shows it picks the scheme
    assert picture == {"type": "image", "payload": {"src": address + custom["bodymap_png"]}}
    again = asyncio.run(exchange(servers.rasa_url, "socket-test-session", "None of these", "Releasing the"))
    assert any("Releasing the" in (m.get("text") or "") for m in again)


def test_foreign_origins_cannot_open_a_socket(servers) -> None:
    async def connect(origin: str) -> bool:
        client = socketio.AsyncClient()
        try:
            await client.connect(servers.rasa_url, headers={"Origin": origin}, transports=["websocket"], wait_timeout=5)
        except socketio.exceptions.ConnectionError:
            return False
        await client.disconnect()
        return True

    assert not asyncio.run(connect("https://evil.example"))
    assert asyncio.run(connect(servers.rasa_url))


def test_rest_sends_no_cors_headers_to_foreign_pages(servers) -> None:
    import requests

    response = requests.options(
        f"{servers.rasa_url}/webhooks/rest/webhook",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    assert "access-control-allow-origin" not in {k.lower() for k in response.headers}


def test_flooding_a_socket_session_gets_a_polite_slow_down(servers) -> None:
    async def flood() -> list:
        client, replies = await open_socket_session(servers.rasa_url, "flood-session")
        for _ in range(35):
            await client.emit("user_uttered", {"message": "hi", "session_id": "flood-session"})
        for _ in range(200):
            if any("wait a few seconds" in (r.get("text") or "") for r in replies):
                break
            await asyncio.sleep(0.1)
        await client.disconnect()
        return replies

    assert any("wait a few seconds" in (r.get("text") or "") for r in asyncio.run(flood()))


@pytest.fixture(scope="module")
def jwt_server(trained_model, tmp_path_factory: pytest.TempPathFactory):
    credentials = (
        "assistant.channels.web.WebSocketIOInput:\n"
        "  session_persistence: true\n"
        f"  jwt_key: {JWT_KEY}\n"
        "  jwt_method: HS256\n"
    )
    with rasa_with_credentials(trained_model, credentials, tmp_path_factory.mktemp("socket-jwt")) as running:
        yield running


async def connects(url: str, auth: dict | None) -> bool:
    client = socketio.AsyncClient()
    try:
        await client.connect(url, auth=auth, transports=["websocket"], wait_timeout=10)
    except socketio.exceptions.ConnectionError:
        return False
    await client.disconnect()
    return True


def test_a_socket_needs_a_valid_token_when_a_jwt_key_is_set(jwt_server) -> None:
    url = jwt_server.rasa_url
    assert not asyncio.run(connects(url, None))
    assert not asyncio.run(connects(url, {"token": jwt.encode({"user": "me"}, "another-key", algorithm="HS256")}))
    assert not asyncio.run(connects(url, {"token": "not a token"}))
    assert asyncio.run(connects(url, {"token": jwt.encode({"user": "me"}, JWT_KEY, algorithm="HS256")}))


def test_without_a_jwt_key_no_token_is_asked_for(servers) -> None:
    assert asyncio.run(connects(servers.rasa_url, None))
