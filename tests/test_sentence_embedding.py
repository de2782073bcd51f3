"""The numpy forward pass of all-MiniLM-L6-v2 and the fallback measurement."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.tools.semantic_eval import Case, false_alarm_rate, top3
from assistant.tools.sentence_embedding import cosine_ranking, default_model


@pytest.fixture(scope="module")
def model():
    return default_model()


def test_matches_the_published_embedding(model) -> None:
    # The first values the model card prints for this sentence, as
    # sentence-transformers computes them.
    vector = model.encode(["This is an example sentence"])[0]
    published = [0.0676569, 0.0634959, 0.0487131, 0.0793050, 0.0374481, 0.0026528, 0.0393749, -0.0070984]
    assert np.allclose(vector[:8], published, atol=2e-5)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5


def test_padding_in_a_batch_changes_nothing(model) -> None:
    short, long = "a crick in my neck", "my knee buckles going downstairs and it aches at the front after running"
    together = model.encode([short, long])
    assert np.allclose(together[0], model.encode([short])[0], atol=1e-5)
    assert np.allclose(together[1], model.encode([long])[0], atol=1e-5)


def test_paraphrases_come_closer_than_other_places(model) -> None:
    neck, stiff_neck, knee = model.encode(
        ["a crick in my neck since I slept funny", "my neck is stiff after sleeping badly", "my knee gives way on the stairs"]
    )
    assert float(neck @ stiff_neck) > float(neck @ knee) + 0.1


def test_ranking_counts_a_muscle_by_its_best_document() -> None:
    documents = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    ranking = cosine_ranking(np.array([0.0, 1.0]), documents, ["a", "b", "a"])
    assert ranking[0] == ("b", 1.0)
    assert ranking[1][0] == "a" and ranking[1][1] == pytest.approx(0.8)


def test_the_fallback_never_speaks_over_a_red_flag_or_a_ranking() -> None:
    semantic = [("soleus", 0.9), ("gastrocnemius", 0.8), ("popliteus", 0.7)]
    flagged = Case("calf swollen after a flight", frozenset({"soleus"}), True, [], semantic)
    ranked = Case("calf ache", frozenset({"soleus"}), False, ["tibialis_anterior"], semantic)
    unranked = Case("my lower leg is grumpy", frozenset({"soleus"}), False, [], semantic)
    assert top3([flagged, ranked, unranked], None) == 0.0
    assert top3([flagged, ranked, unranked], 0.85) == pytest.approx(1 / 3, abs=1e-4)
    assert top3([unranked], 0.95) == 0.0


def test_a_false_alarm_is_a_not_pain_message_given_muscles() -> None:
    assert false_alarm_rate([0.9, 0.9, 0.2], [True, False, True], 0.5) == pytest.approx(1 / 3, abs=1e-4)
