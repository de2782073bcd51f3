"""The chat page, its files and the body maps are served by the assistant itself."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
import requests
from PIL import Image

from assistant import bodymap
from assistant.channels.pages import WEB_DIR, static_file
from assistant.channels.web import base_url
from assistant.knowledge.loader import default_knowledge
from assistant.tools.servers import ROOT
from tests.conftest import payload, rasa_with_credentials

VENDOR = WEB_DIR / "vendor"


def test_static_files_stay_inside_the_web_folder() -> None:
    assert static_file("chat.js") == WEB_DIR / "chat.js"
    assert static_file("vendor/socket.io.min.js") == VENDOR / "socket.io.min.js"
    for escape in ("../channels/web.py", "../../Makefile", "/etc/passwd", "vendor", "vendor/LICENSE"):
        assert static_file(escape) is None, escape


def test_vendored_socketio_client_is_pinned_with_its_licence() -> None:
    head = (VENDOR / "socket.io.min.js").read_text(encoding="utf-8")[:200]
    assert "Socket.IO v4.8.1" in head
    assert "MIT" in (VENDOR / "LICENSE").read_text(encoding="utf-8")


def test_page_never_sets_html_from_strings() -> None:
    script = (WEB_DIR / "chat.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script, sink


@pytest.fixture(scope="module")
def rest_only(trained_model, tmp_path_factory: pytest.TempPathFactory):
    """A server whose credentials list REST alone: no socket.io."""
    with rasa_with_credentials(trained_model, "rest:\n", tmp_path_factory.mktemp("rest-only")) as running:
        yield running


def test_page_and_maps_are_served_without_socketio(rest_only) -> None:
    assert requests.get(f"{rest_only.rasa_url}/socket.io/?EIO=4&transport=polling", timeout=10).status_code == 404
    assert requests.get(f"{rest_only.rasa_url}/chat", timeout=10).status_code == 200
    assert requests.get(f"{rest_only.rasa_url}/web/chat.js", timeout=10).status_code == 200
    svg = requests.get(f"{rest_only.rasa_url}/bodymap.svg", params={"muscles": "soleus"}, timeout=10)
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert requests.get(f"{rest_only.rasa_url}/bodymap.png", params={"muscles": "soleus"}, timeout=10).status_code == 200


def test_chat_page_is_served_with_a_strict_policy(servers) -> None:
    page = requests.get(f"{servers.rasa_url}/chat", timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert '<script src="/web/chat.js"' in page.text
    for name in ("chat.js", "chat.css", "embed.js", "vendor/socket.io.min.js"):
        assert requests.get(f"{servers.rasa_url}/web/{name}", timeout=10).status_code == 200, name
    assert requests.get(f"{servers.rasa_url}/web/nope.js", timeout=10).status_code == 404


def test_bodymap_routes_give_svg_and_png(servers) -> None:
    svg = requests.get(f"{servers.rasa_url}/bodymap.svg", params={"muscles": "vastus_medialis,soleus,bogus"}, timeout=10)
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(svg.content)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "1. Vastus medialis" in texts and "2. Soleus" in texts
    png = requests.get(f"{servers.rasa_url}/bodymap.png", params={"muscles": "masseter", "side": "left"}, timeout=10)
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    expected = bodymap.scene(default_knowledge(), ["masseter"], side="left")
    assert Image.open(io.BytesIO(png.content)).size == (2 * bodymap.WIDTH, round(2 * expected.height))
    assert requests.get(f"{servers.rasa_url}/bodymap.svg", timeout=10).status_code == 400
    picker = requests.get(f"{servers.rasa_url}/bodymap.svg", params={"picker": "1"}, timeout=10)
    assert picker.status_code == 200 and 'class="zone"' in picker.text


def test_symptom_payload_points_at_its_body_map_and_the_map_comes_as_a_picture(chat, servers) -> None:
    replies = chat.say("my knee buckles going down stairs")
    custom = payload(replies, "muscle_suggestions")
    assert custom is not None and custom["bodymap"].startswith("/bodymap.svg?muscles=")
    ids = [m["id"] for m in custom["muscles"]]
    assert custom["bodymap"] == "/bodymap.svg?muscles=" + ",".join(ids)
    assert requests.get(servers.rasa_url + custom["bodymap_png"], timeout=10).headers["content-type"] == "image/png"
    # Clients that show only standard messages still get the map.
    assert [r["image"] for r in replies if r.get("image")] == [custom["bodymap_png"]]


def test_pictures_get_the_address_the_socket_reached() -> None:
    assert base_url({"HTTP_HOST": "chat.example:8080", "wsgi.url_scheme": "http"}) == "//chat.example:8080"
    assert base_url({"HTTP_HOST": "chat.example", "HTTP_X_FORWARDED_PROTO": "https"}) == "https://chat.example"
    assert base_url({"HTTP_HOST": "chat.example", "HTTP_X_FORWARDED_PROTO": "javascript"}) == "//chat.example"
    assert base_url({}) == "" and base_url(None) == ""


def test_readme_documents_the_page_and_shows_a_screenshot() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "/web/embed.js" in readme and "/chat" in readme and "docs/web-chat.png" in readme
    assert (ROOT / "docs" / "web-chat.png").is_file()
