"""The web chat page in headless Chromium against the real running assistant.

Needs Debian's `chromium` and `chromium-driver` (scripts/setup-system.sh,
run by `make setup`, installs them). Under CI a missing browser fails these
tests; locally they are skipped with the reason.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from assistant.tools.servers import ROOT
from assistant.voice.text import normalise
from tests.conftest import Chat, payload

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SHOTS = ROOT / "results" / "browser"
INJECTION = "<img src=x onerror=alert(1)>"
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def _unavailable(reason: str) -> None:
    # `make setup` installs chromium and chromium-driver: missing means broken.
    pytest.fail(f"browser tests cannot run: {reason} (run `make setup` as root to install chromium and chromium-driver)")


@contextlib.contextmanager
def launch(*extra_flags: str) -> Iterator[object]:
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as error:
        _unavailable(f"selenium is not installed ({error})")
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            _unavailable(f"{path} is missing")
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, *extra_flags, f"--user-data-dir={profile}", "--window-size=1100,1000"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # The driver's path is given: selenium must not look for or download one.
    browser = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    browser.set_page_load_timeout(30)
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def driver() -> Iterator[object]:
    with launch() as browser:
        yield browser


class Page:
    """The chat page as a person uses it, with the keyboard where it can."""

    def __init__(self, driver, url: str):
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver, self.url, self.by = driver, url, By
        # The page redraws its transcript (delete, reload), so an element found
        # a moment ago may be gone by the time its text is read: look again.
        self.wait = WebDriverWait(driver, 45, ignored_exceptions=(StaleElementReferenceException,))

    def open(self, fresh: bool = True) -> Page:
        self.driver.get(f"{self.url}/chat")
        if fresh:
            self.driver.execute_script("localStorage.clear()")
            self.driver.get(f"{self.url}/chat")
        self.wait.until(lambda d: d.find_element(self.by.ID, "status").text == "Connected")
        return self

    def find(self, css: str):
        return self.driver.find_element(self.by.CSS_SELECTOR, css)

    def all(self, css: str) -> list:
        return self.driver.find_elements(self.by.CSS_SELECTOR, css)

    def bot_count(self) -> int:
        return len(self.all(".msg.bot"))

    def type(self, text: str) -> None:
        from selenium.webdriver.common.keys import Keys

        box = self.find("#message")
        box.click()
        box.send_keys(text, Keys.ENTER)

    def wait_for(self, css: str):
        self.wait.until(lambda d: d.find_elements(self.by.CSS_SELECTOR, css))
        return self.find(css)

    def wait_for_text(self, text: str, after: int = 0) -> None:
        self.wait.until(lambda d: any(text in m.text for m in d.find_elements(self.by.CSS_SELECTOR, ".msg.bot")[after:]))

    def session(self) -> str:
        return self.driver.execute_script("return localStorage.getItem('tpa.session')")

    def shot(self, name: str) -> Path:
        path = SHOTS / name
        self.driver.save_screenshot(str(path))
        return path

    def card_ids(self, after: int = 0) -> list:
        boxes = self.all(".msg.suggestions")[after:]
        return [c.get_attribute("data-muscle") for c in boxes[-1].find_elements(self.by.CSS_SELECTOR, ".card")] if boxes else []

    def errors(self) -> list:
        return [e for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]


@pytest.fixture
def page(driver, servers) -> Page:
    driver.set_window_size(1100, 1000)
    return Page(driver, servers.rasa_url)


def test_symptom_gets_cards_and_a_body_map_then_a_button_and_reload_keep_the_conversation(page) -> None:
    page.open()
    page.type("my knee buckles going down stairs")
    card = page.wait_for('.card[data-muscle="vastus_medialis"]')
    assert "Vastus medialis" in card.text and "Release tip:" in card.text
    assert any("Caution:" in c.text for c in page.all(".card"))
    image = page.wait_for(".bodymap img")
    page.wait.until(lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image) == 420)
    # The same map also comes as a plain picture for other clients: shown once here.
    assert len(page.all(".msg img")) == 1
    assert "Vastus medialis" in image.get_attribute("alt")
    assert image.get_attribute("src").split("/", 3)[3].startswith("bodymap.svg?muscles=vastus_medialis")
    # The release steps wait for the screening question's answer.
    page.wait_for_text("Before you press on anything")
    assert "Before you press on anything" in page.find(".msg.bot.screening").text
    assert "Also worth checking" not in page.find("#log").text
    before = page.bot_count()
    next(b for b in page.all(".buttons button") if b.text == "None of these").click()
    page.wait_for_text("Also worth checking", after=before)
    page.driver.set_window_size(1000, 1500)
    page.driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", page.find(".msg.suggestions"))
    page.shot("web-chat-symptom.png")
    page.driver.set_window_size(1100, 1000)

    before = page.bot_count()
    button = next(b for b in page.all(".buttons button") if b.text == "Why does it keep coming back?")
    button.click()
    page.wait_for_text("why it keeps coming back", after=before)  # the root-cause check-up starts
    assert page.all(".msg.user")[-1].text == "Why does it keep coming back?"

    session = page.session()
    page.driver.refresh()
    page.wait.until(lambda d: d.find_element(page.by.ID, "status").text == "Connected")
    assert page.session() == session
    assert [m.text for m in page.all(".msg.user")][:3] == [
        "my knee buckles going down stairs", "None of these", "Why does it keep coming back?",
    ]
    assert page.all('.card[data-muscle="vastus_medialis"]') and page.all(".bodymap img")
    # The server still knows the conversation: the check-up goes on, and a
    # follow-up after it needs its slots.
    before = page.bot_count()
    page.type("stop")
    page.wait_for_text("stop the check-up", after=before)
    before = page.bot_count()
    page.type("how do I release it?")
    page.wait_for_text("Releasing the Vastus medialis", after=before)
    page.shot("web-chat-after-reload.png")
    assert not page.errors()


def test_tapping_the_body_map_ranks_like_typing_the_area(page, servers) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    page.open()
    page.find("#picker-toggle").click()
    zone = page.wait_for('.zone[data-area="inside_of_knee"][data-side="right"]')
    assert page.find("#picker-send").get_attribute("disabled") is not None
    # The whole body: front, back and the head from the side, hands to feet.
    zones = page.all(".zone")
    assert {z.get_attribute("data-view") for z in zones} == {"front", "back", "side"}
    assert {"temple", "side_of_neck", "shoulder_blade", "outside_of_elbow", "fingers", "mid_back", "sole"} <= {
        z.get_attribute("data-area") for z in zones
    }
    page.shot("web-chat-picker.png")
    temple = page.find('.zone[data-area="temple"]')
    page.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", temple)
    ActionChains(page.driver).move_to_element(temple).click().perform()
    assert page.find("#picker-chosen").text == "Chosen: temple"
    page.find("#picker-clear").click()
    page.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", zone)
    ActionChains(page.driver).move_to_element(zone).click().perform()
    assert zone.get_attribute("aria-pressed") == "true"
    assert "inside of the knee (right)" in page.find("#picker-chosen").text
    page.find("#picker-send").click()
    sent = page.all(".msg.user")[-1].text
    assert sent == "It hurts here: the inside of the knee, right side."
    page.wait_for(".msg.suggestions .card")

    typed = payload(Chat(servers).say("the inside of my knee hurts"), "muscle_suggestions")
    assert typed is not None
    assert page.card_ids() == [m["id"] for m in typed["muscles"]]

    # By keyboard alone: focus a zone, Enter to choose it, then the send button.
    before = len(page.all(".msg.suggestions"))
    page.find("#picker-toggle").click()
    calf = page.wait_for('.zone[data-area="calf"][data-side="left"]')
    page.driver.execute_script("arguments[0].focus()", calf)
    ActionChains(page.driver).send_keys(Keys.ENTER).perform()
    assert calf.get_attribute("aria-pressed") == "true"
    page.find("#picker-send").send_keys(Keys.ENTER)
    page.wait.until(lambda d: len(d.find_elements(page.by.CSS_SELECTOR, ".msg.suggestions")) > before)
    assert page.all(".msg.user")[-1].text == "It hurts here: the calf, left side."


def test_markup_in_a_message_shows_as_text(page) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    page.open()
    before = page.bot_count()
    page.type(INJECTION)
    page.wait.until(lambda d: len(d.find_elements(page.by.CSS_SELECTOR, ".msg.bot")) > before)
    mine = page.all(".msg.user")[-1]
    assert mine.text == INJECTION
    assert not mine.find_elements(page.by.TAG_NAME, "img")
    assert not page.all(".log img:not(.bodymap img)")
    with pytest.raises(NoAlertPresentException):
        page.driver.switch_to.alert.text  # noqa: B018 - reading it is the check
    page.driver.refresh()
    page.wait.until(lambda d: d.find_element(page.by.ID, "status").text == "Connected")
    assert page.all(".msg.user")[-1].text == INJECTION and not page.all(".msg.user img")


def test_phone_width_keyboard_and_the_mic_button(page) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    page.driver.set_window_size(390, 844)
    page.open()
    mic = page.find("#mic")
    assert mic.is_enabled() and mic.get_attribute("aria-pressed") == "false"
    assert page.find("#mic-label").get_attribute("textContent") == "Speak instead of typing"
    assert page.driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    # Keyboard only: Tab reaches the message box, Enter sends.
    page.driver.find_element(page.by.TAG_NAME, "body").click()
    for _ in range(6):
        ActionChains(page.driver).send_keys(Keys.TAB).perform()
        if page.driver.switch_to.active_element.get_attribute("id") == "message":
            break
    assert page.driver.switch_to.active_element.get_attribute("id") == "message"
    ActionChains(page.driver).send_keys("my jaw aches when I chew", Keys.ENTER).perform()
    page.wait_for(".msg.suggestions .card")
    assert page.driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    # The body map gets nearly the whole width, so its labels stay readable.
    shown = page.wait_for(".bodymap img").size["width"]
    assert shown >= 0.85 * page.driver.execute_script("return window.innerWidth"), shown
    page.shot("web-chat-phone.png")


def test_delete_my_data_clears_the_transcript_and_starts_a_new_session(page) -> None:
    page.open()
    page.type("my knee buckles going down stairs")
    page.wait_for(".msg.suggestions .card")
    session = page.session()
    page.type("delete my data")
    page.wait_for_text("deleted this conversation")
    assert page.session() != session
    assert page.driver.execute_script("return localStorage.getItem('tpa.transcript')") is None
    page.driver.refresh()
    page.wait.until(lambda d: d.find_element(page.by.ID, "status").text == "Connected")
    assert not page.all(".msg.user")


def test_rate_see_the_chart_and_download_the_summary(page) -> None:
    page.open()
    page.type("my knee buckles going down stairs")
    page.wait_for_text("Before you press on anything")
    before = page.bot_count()
    next(b for b in page.all(".buttons button") if b.text == "None of these").click()
    page.wait_for_text("how bad is it right now", after=before)
    before = page.bot_count()
    next(b for b in page.all(".buttons button") if b.text == "6").click()
    page.wait_for_text("6 out of 10", after=before)
    page.type("show my progress")
    chart = page.wait_for(".msg.bot.chart img")
    page.wait.until(lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", chart))
    assert "/chart.svg" in chart.get_attribute("src")
    # The PNG that follows for other clients is not shown a second time.
    assert not [i for i in page.all(".msg img") if "/chart.png" in (i.get_attribute("src") or "")]
    page.shot("web-chat-progress.png")
    page.type("make a summary for my physio")
    link = page.wait_for(".msg.bot.downloads a")
    assert link.text == "Download the PDF"
    fetched = page.driver.execute_async_script(
        "var done = arguments[1]; fetch(arguments[0]).then(function (r) { return r.arrayBuffer().then(function (b) {"
        " done([r.status, r.headers.get('content-type'), new TextDecoder('latin1').decode(b.slice(0, 5))]); }); });",
        link.get_attribute("href"),
    )
    assert fetched == [200, "application/pdf", "%PDF-"]
    assert not page.errors()


# ------------------------------------------------------------ microphone


@pytest.fixture(scope="module")
def spoken_symptom(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """A WAV Chromium plays as its microphone, and how long it lasts."""
    from assistant.voice.audio import convert, pcm_seconds, to_pcm16k
    from assistant.voice.voices import speak_as

    wav = convert(["-ar", "48000", "-f", "wav"], speak_as("my knee buckles going downstairs", "espeak:en-us+f2", 120))
    path = tmp_path_factory.mktemp("mic") / "symptom.wav"
    path.write_bytes(wav)
    return path, pcm_seconds(to_pcm16k(wav))


@pytest.fixture(scope="module")
def mic_driver(spoken_symptom: tuple[Path, float]) -> Iterator[object]:
    path, _ = spoken_symptom
    flags = (
        "--use-fake-ui-for-media-stream",  # the permission prompt says yes
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={path}%noloop",
        "--autoplay-policy=no-user-gesture-required",
    )
    with launch(*flags) as browser:
        yield browser


def test_mic_records_sends_shows_the_transcript_and_plays_the_reply(mic_driver, servers, spoken_symptom) -> None:
    import time

    _, seconds = spoken_symptom
    page = Page(mic_driver, servers.rasa_url).open()
    mic = page.find("#mic")
    mic.click()
    page.wait.until(lambda d: mic.get_attribute("aria-pressed") == "true")
    time.sleep(seconds + 0.8)  # the fake microphone plays the file from the start of the recording
    mic.click()
    spoken = page.wait_for(".msg.user.spoken")
    assert {"knee", "buckles"} <= set(normalise(spoken.text).split())
    card = page.wait_for('.card[data-muscle="vastus_medialis"]')
    assert "Vastus medialis" in card.text
    player = page.wait_for(".msg audio")
    assert player.get_attribute("src").startswith("blob:")
    # The browser could decode the reply: its length is known.
    page.wait.until(lambda d: d.execute_script("return arguments[0].readyState >= 1 && arguments[0].duration > 3", player))
    # The reply was streamed: when its first seconds end, the rest (made meanwhile) plays.
    page.wait.until(lambda d: player.get_attribute("data-part") == "2")
    page.wait.until(lambda d: d.execute_script("return arguments[0].readyState >= 1 && arguments[0].duration > 5", player))
    assert mic.get_attribute("aria-pressed") == "false"
    # The spoken turn is part of the same conversation: a typed answer to its
    # screening question brings the release steps for the muscle it found.
    page.wait_for_text("Before you press on anything")
    before = page.bot_count()
    page.type("none of these")
    page.wait_for_text("Releasing the Vastus medialis", after=before)
    page.shot("web-chat-voice.png")
    assert not page.errors()
