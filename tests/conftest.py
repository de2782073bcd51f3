"""Shared fixtures. Server tests share one trained model and one pair of
servers per session; the model is (re)trained only when its inputs changed."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Iterator

import pytest
import requests

from assistant.tools.servers import ROOT, Servers, base_env, free_port, running_assistant

MODEL = ROOT / "models" / "assistant.tar.gz"


@pytest.fixture(scope="session")
def trained_model() -> Path:
    subprocess.run([sys.executable, "-m", "assistant.nlp.build"], cwd=ROOT, check=True)
    subprocess.run([sys.executable, "-m", "assistant.nlp.model"], cwd=ROOT, check=True)
    return MODEL


@pytest.fixture(scope="session")
def servers(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    log_dir = tmp_path_factory.mktemp("server-logs")
    with running_assistant(trained_model, log_dir=log_dir) as running:
        yield running


@contextlib.contextmanager
def rasa_with_credentials(model: Path, credentials: str, tmp_path: Path) -> Iterator[Servers]:
    """A Rasa server alone (no action server) with its own credentials.yml."""
    (tmp_path / "credentials.yml").write_text(credentials, encoding="utf-8")
    servers = Servers(
        rasa_port=free_port(),
        action_port=free_port(),
        token=uuid.uuid4().hex,
        log_dir=tmp_path,
        env=base_env({"TRACKER_DB": str(tmp_path / "conversations.db"), "ACTION_ENDPOINT_URL": "http://127.0.0.1:9/webhook"}),
        model=model,
        credentials=str(tmp_path / "credentials.yml"),
    )
    try:
        servers.start_rasa()
        yield servers
    finally:
        servers.stop_all()


class Chat:
    """One conversation over the REST channel."""

    def __init__(self, servers: Servers):
        self.servers = servers
        self.sender = f"test-{uuid.uuid4().hex}"

    def say(self, message: object) -> list:
        response = requests.post(
            f"{self.servers.rasa_url}/webhooks/rest/webhook", json={"sender": self.sender, "message": message}, timeout=60
        )
        assert response.status_code == 200, response.text
        return response.json()

    def say_screened(self, message: object) -> list:
        """Say `message`; when the reply asks the screening question, answer
        "None of these" and return both replies (the release steps follow)."""
        replies = self.say(message)
        if payload(replies, "screening"):
            replies = [*replies, *self.say("/deny")]
        return replies

    def tracker(self) -> dict:
        response = requests.get(
            f"{self.servers.rasa_url}/conversations/{self.sender}/tracker", params={"token": self.servers.token}, timeout=30
        )
        assert response.status_code == 200, response.text
        return response.json()

    def slot(self, name: str) -> object:
        return self.tracker()["slots"].get(name)


@pytest.fixture
def chat(servers: Servers) -> Chat:
    return Chat(servers)


def payload(replies: list, kind: str) -> dict | None:
    for reply in replies:
        custom = reply.get("custom") or {}
        if custom.get("type") == kind:
            return custom
    return None


def texts(replies: list) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


async def open_socket_session(url: str, session_id: str) -> tuple:
    """A connected socket.io client that has joined `session_id`, and the
    list its bot_uttered messages are collected into."""
    import asyncio

    import socketio

    client = socketio.AsyncClient()
    replies: list = []
    confirmed = asyncio.Event()
    client.on("session_confirm", lambda _: confirmed.set())
    client.on("bot_uttered", replies.append)
    await client.connect(url, transports=["websocket"])
    await client.emit("session_request", {"session_id": session_id})
    await asyncio.wait_for(confirmed.wait(), 10)
    return client, replies
