"""`make profile`: py-spy's stacks are read right, and a short real run
records the Rasa server."""

from __future__ import annotations

from pathlib import Path

from assistant.tools.profile import inclusive_shares, profile, top_rows

RAW = """\
main (rasa/__main__.py:1);handle (rasa/core/processor.py:10);retrieve (rasa/core/tracker_store.py:5) 6
main (rasa/__main__.py:1);handle (rasa/core/processor.py:10);predict (rasa/core/policies/rule_policy.py:7) 3
main (rasa/__main__.py:1);idle (asyncio/base_events.py:2) 1
"""


def test_each_function_counts_every_sample_it_is_on_the_stack_of() -> None:
    total, shares = inclusive_shares(RAW)
    assert total == 10
    assert shares["main (rasa/__main__.py:1)"] == 10
    assert shares["handle (rasa/core/processor.py:10)"] == 9
    assert shares["retrieve (rasa/core/tracker_store.py:5)"] == 6


def test_a_recursive_function_is_counted_once_per_sample() -> None:
    total, shares = inclusive_shares("f (a.py:1);f (a.py:1);g (a.py:2) 4\n")
    assert (total, shares["f (a.py:1)"]) == (4, 4)


def test_top_rows_keep_the_chosen_files_largest_first() -> None:
    total, shares = inclusive_shares(RAW)
    rows = top_rows(total, shares, 2, "rasa/core/")
    assert rows == [("handle (rasa/core/processor.py:10)", 0.9), ("retrieve (rasa/core/tracker_store.py:5)", 0.6)]


def test_a_short_conversation_is_recorded(trained_model: Path, tmp_path: Path) -> None:
    total, shares = profile(trained_model, turns=4, out_dir=tmp_path)
    assert total > 0
    assert any("rasa/core/processor.py" in frame for frame in shares)
    assert (tmp_path / "profile-rasa.svg").read_text().lstrip().startswith("<?xml")
