"""A third-party client: the community `rasa-webchat` widget in headless Chromium.

The widget knows only Rasa's standard messages (text, buttons, pictures),
so this shows that people on a site embedding it get the assistant's
replies, its buttons and the body map. The widget is installed from the npm
registry at the version pinned in tests/webchat/package-lock.json (`make
setup` runs `npm ci`) and served from this test's own server on another
port, as a site embedding it would, with that site's origin allowed.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

from assistant.tools.servers import ROOT, Servers, running_assistant
from tests.test_browser import SHOTS, launch

WIDGET = ROOT / "tests" / "webchat" / "node_modules" / "rasa-webchat" / "lib" / "index.js"
WIDGET_VERSION = "1.0.1"
WEB_FONT = "https://fonts.googleapis.com/"
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A site with the chat widget</title>
<link rel="icon" href="data:,"></head>
<body><h1>A site with the chat widget</h1>
<script src="/rasa-webchat.js"></script>
<script>
  window.WebChat.default({
    socketUrl: "%(socket_url)s",
    socketPath: "/socket.io/",
    embedded: true,
    title: "Trigger point assistant",
    inputTextFieldHint: "Where does it hurt?",
    params: {storage: "session"}
  }, null);
</script></body></html>
"""


def _widget_code() -> bytes:
    if not WIDGET.is_file():
        # `make setup` installs it: missing means the setup is broken, here and under CI.
        pytest.fail(f"the rasa-webchat widget is not installed ({WIDGET} is missing): run `make setup` (npm ci in tests/webchat)")
    return WIDGET.read_bytes()


class Site:
    """A static web server on 127.0.0.1: the page and the widget's bundled script."""

    def __init__(self, widget: bytes):
        files = {"/rasa-webchat.js": ("text/javascript", widget)}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                content_type, body = files.get(self.path, ("text/plain", b""))
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.files = files
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def serve_page(self, socket_url: str) -> None:
        self.files["/"] = ("text/html; charset=utf-8", (PAGE % {"socket_url": socket_url}).encode("utf-8"))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    running = Site(_widget_code())
    yield running
    running.close()


@pytest.fixture(scope="module")
def embedding_assistant(trained_model: Path, site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """The assistant as a site embedding the widget runs it: that site's origin allowed."""
    logs = tmp_path_factory.mktemp("webchat-server-logs")
    with running_assistant(trained_model, env={"CORS_ORIGINS": site.origin}, log_dir=logs) as servers:
        site.serve_page(servers.rasa_url)
        yield servers


def test_the_pinned_widget_is_the_one_installed() -> None:
    import json

    _widget_code()
    installed = json.loads((WIDGET.parents[1] / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "tests" / "webchat" / "package-lock.json").read_text(encoding="utf-8"))
    assert installed["version"] == WIDGET_VERSION == lock["packages"]["node_modules/rasa-webchat"]["version"]
    assert "cdn" not in PAGE.lower() and 'src="/rasa-webchat.js"' in PAGE


def test_rasa_webchat_shows_the_text_the_buttons_and_the_body_map(site: Site, embedding_assistant: Servers) -> None:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    with launch() as driver:
        driver.set_window_size(420, 900)
        wait = WebDriverWait(driver, 45, ignored_exceptions=(StaleElementReferenceException,))

        def bot_text() -> str:
            return "\n".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, ".rw-response"))

        driver.get(site.origin + "/")
        box = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".rw-new-message"))[0]
        box.send_keys("my knee buckles going down stairs", Keys.ENTER)

        wait.until(lambda d: "most likely sources" in bot_text())
        assert "Vastus medialis" in bot_text()
        picture = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "img.rw-image-frame"))[0]
        src = picture.get_attribute("src")
        assert src.startswith(f"{embedding_assistant.rasa_url}/bodymap.png?muscles=vastus_medialis"), src
        wait.until(lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", picture) == 840)

        wait.until(lambda d: "Before you press on anything" in bot_text())
        buttons = wait.until(lambda d: [b for b in d.find_elements(By.CSS_SELECTOR, ".rw-reply") if b.text == "None of these"])
        buttons[0].click()
        wait.until(lambda d: "Releasing the Vastus medialis" in bot_text())
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", picture)
        SHOTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SHOTS / "rasa-webchat.png"))
        # The widget never saw a message it could not show: no script errors.
        # (Its stylesheet asks for a web font; offline it falls back to the system font.)
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE" and WEB_FONT not in e["message"]]
        assert not errors
