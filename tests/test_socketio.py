"""The socket.io channel is on and keeps a conversation across reconnects."""

from __future__ import annotations

import asyncio

import socketio

from tests.conftest import open_socket_session


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
