"""The answerability model: a logistic regression read from its JSON file."""
from __future__ import annotations

import json

import pytest

from rag.answering.answerability import SURE, AlwaysAnswer, Answerability, Signals, doubt, fitted
from rag.core.errors import RagError


def _signals(**changed) -> Signals:
    values = dict(english=0.0, coverage=0.6, score=1.2, similarity=0.5, unknown_share=0.0, figure_unstated=0.0,
                  asks_amount=0.0, region_named=1.0, clause_rank=0.0, terms=2.0, second_document=0.0)
    return Signals(**{**values, **changed})


def test_the_committed_model_reads_the_signals_the_chain_computes():
    model = fitted()
    assert model.names == Signals.names() and len(model.coef) == len(model.names) == len(_signals().vector())
    assert 0.0 < model.probability(_signals()) < 1.0


def test_a_well_covered_question_is_more_answerable_than_one_whose_sentence_covers_nothing():
    model = fitted()
    assert model.probability(_signals(coverage=0.9, score=1.6)) > model.probability(_signals(coverage=0.05, score=0.2))


def test_an_amount_question_whose_clauses_state_no_figure_is_less_answerable():
    model = fitted()
    asks = _signals(asks_amount=1.0)
    assert model.probability(asks) > model.probability(_signals(asks_amount=1.0, figure_unstated=1.0))


def test_the_probability_is_a_logistic_regression_on_standardised_signals(tmp_path):
    names = Signals.names()
    model = Answerability(names, [0.0] * len(names), [1.0] * len(names), [0.0] * len(names), 0.0, {})
    assert model.probability(_signals()) == pytest.approx(0.5) and model.answers(_signals())
    coef = [0.0] * len(names)
    coef[names.index("coverage")] = 2.0
    steep = Answerability(names, [0.5] + [0.0] * (len(names) - 1), [1.0] * len(names), coef, -1.0, {})
    # z = -1 + 2 * (0.6 - 0.0) with coverage at index 1 (mean 0.0 there)
    assert steep.probability(_signals()) == pytest.approx(1 / (1 + 2.718281828459045 ** -0.2), rel=1e-6)
    path = tmp_path / "model.json"
    steep.save(path)
    assert Answerability.load(path) == steep


def test_a_model_file_of_other_signals_or_none_is_a_clear_error(tmp_path):
    with pytest.raises(RagError, match="rag train"):
        Answerability.load(tmp_path / "missing.json")
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"names": ["coverage"], "mean": [0], "scale": [1], "coef": [1], "intercept": 0}))
    with pytest.raises(RagError, match="other signals"):
        Answerability.load(other)
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(RagError, match="not a model file"):
        Answerability.load(broken)


def test_not_certain_below_three_chances_in_four_and_always_answer_for_fitting():
    assert doubt(SURE - 0.01, "zh").startswith("（把握不大") and doubt(SURE - 0.01, "en").startswith("(Not certain")
    assert doubt(SURE, "en") == ""
    assert AlwaysAnswer().answers(_signals(coverage=0.0)) and AlwaysAnswer().probability(_signals()) == 1.0


def test_a_ranker_file_of_other_features_or_weights_is_a_clear_error(tmp_path):
    from rag.reading.sentence_ranker import FEATURES, SentenceRanker, fitted_ranker

    ranker = fitted_ranker()
    assert ranker.names == list(FEATURES) and len(ranker.weights) == len(FEATURES)
    path = tmp_path / "ranker.json"
    SentenceRanker(list(FEATURES), ranker.weights[:-1], {}).save(path)
    with pytest.raises(RagError, match="other features"):
        SentenceRanker.load(path)
    with pytest.raises(RagError, match="rag train"):
        SentenceRanker.load(tmp_path / "missing.json")
    short = tmp_path / "short.json"
    short.write_text(json.dumps({"names": Signals.names(), "mean": [0], "scale": [1], "coef": [1], "intercept": 0}))
    with pytest.raises(RagError, match="a weight, mean and scale"):
        Answerability.load(short)
