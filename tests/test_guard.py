"""Input checks shared by the channels."""

from __future__ import annotations

from assistant.channels.guard import (
    EMPTY,
    SLOW_DOWN,
    TOO_LONG,
    RateLimiter,
    allowed_origins,
    clean_text,
    origin_allowed,
    precheck,
    refusal,
)


def test_control_characters_are_dropped_but_line_breaks_kept() -> None:
    assert clean_text("knee\x00 hurts\x07\nleft") == "knee  hurts \nleft"


def test_precheck_answers_empty_and_oversized_messages() -> None:
    assert precheck("") == EMPTY
    assert precheck("x" * 5001) == TOO_LONG
    assert precheck("my knee hurts") is None


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_rate_limit_is_per_sender_and_slides() -> None:
    clock = Clock()
    limiter = RateLimiter(3, window=60, clock=clock)
    assert all(limiter.allow("a") for _ in range(3))
    assert not limiter.allow("a")
    assert limiter.allow("b")
    clock.now = 61
    assert limiter.allow("a")


def test_rate_limiter_memory_is_bounded() -> None:
    limiter = RateLimiter(1, max_senders=100)
    for i in range(1000):
        limiter.allow(f"sender-{i}")
    assert len(limiter._seen) == 100


def test_zero_disables_the_limit() -> None:
    limiter = RateLimiter(0)
    assert all(limiter.allow("a") for _ in range(100))


def test_origins_are_parsed_from_a_comma_list() -> None:
    assert allowed_origins("") == []
    assert allowed_origins("https://a.example/, https://b.example") == ["https://a.example", "https://b.example"]


def test_only_configured_or_own_origins_may_connect() -> None:
    assert origin_allowed(None, "127.0.0.1:5005", [])
    assert origin_allowed("http://127.0.0.1:5005", "127.0.0.1:5005", [])
    assert not origin_allowed("https://evil.example", "127.0.0.1:5005", [])
    assert origin_allowed("https://clinic.example/", "127.0.0.1:5005", ["https://clinic.example"])
    assert origin_allowed("https://any.example", "127.0.0.1:5005", ["*"])


def test_refusal_checks_the_text_before_counting_against_the_limit() -> None:
    limiter = RateLimiter(1)
    assert refusal("", "a", limiter) == EMPTY
    assert refusal("my knee hurts", "a", limiter) is None
    assert refusal("my knee hurts", "a", limiter) == SLOW_DOWN
