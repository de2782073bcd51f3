"""`make run`'s program starts both servers, says where, and stops both on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import requests

from assistant.tools.servers import ROOT, free_port


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code < 500
    except requests.RequestException:
        return False


def test_run_starts_prints_and_stops_cleanly(trained_model, tmp_path) -> None:
    rasa_port, action_port = free_port(), free_port()
    env = {**os.environ, "RASA_PORT": str(rasa_port), "ACTION_PORT": str(action_port), "TRACKER_DB": str(tmp_path / "c.db")}
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant.tools.run"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines = []
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if "Press Ctrl-C to stop" in line or process.poll() is not None:
                break
        output = "".join(lines)
        assert "The assistant is ready" in output, output
        assert f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook" in output
        reply = requests.post(
            f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook", json={"sender": "run-test", "message": "hello"}, timeout=30
        )
        assert reply.status_code == 200 and reply.json()
        voice = f"http://127.0.0.1:{rasa_port}/webhooks/voice/webhook"
        assert voice in output
        assert requests.post(voice, data={"sender": "run-test"}, timeout=30).json()["error"].startswith("no audio")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    time.sleep(1)
    assert not answers(f"http://127.0.0.1:{rasa_port}/")
    assert not answers(f"http://127.0.0.1:{action_port}/health")
