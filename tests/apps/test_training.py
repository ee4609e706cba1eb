"""Fitting the sentence ranker and the answerability model, and measuring them leave-documents-out
(rag.apps.fitting, rag.apps.training).

The committed rows (eval/answerability-rows.jsonl, written by `rag train` from the labelled
sets asked of their libraries) are refitted here: the committed model is what they give, and
its leave-documents-out figures meet the gate in eval/thresholds-fitted.toml."""
from __future__ import annotations

import pytest

from rag.answering.answerability import Answerability, Signals
from rag.apps import fitting, training
from rag.apps.evaluate import load_thresholds
from rag.apps.fitting import HELD_OUT, IN_SAMPLE, Candidate, Row, gold_sentence, leave_documents_out, metrics
from rag.core.config import PROJECT_ROOT
from rag.core.errors import RagError
from rag.reading.sentence_ranker import FEATURES


def _row(i: int, doc: str, answerable: bool, coverage: float, fold: str = IN_SAMPLE) -> Row:
    signals = [0.0] * len(Signals.names())
    signals[Signals.names().index("coverage")] = coverage
    return Row(str(i), "s", "corpus", "zh", "numeric" if answerable else "unanswerable", [doc], answerable,
               signals, answerable, answerable, False, fold)


def _rows(fold: str = IN_SAMPLE) -> list[Row]:
    # answerable questions are covered well, unanswerable ones poorly, over four documents
    return [_row(i, f"doc{i % 4}", i % 3 != 0, 0.7 + 0.002 * i if i % 3 else 0.1 + 0.002 * i, fold)
            for i in range(60)]


def test_an_outcome_follows_the_decision_an_answer_as_asked_an_abstention_right_when_unanswerable():
    good, none = _row(1, "d", True, 0.8), _row(2, "d", False, 0.1)
    assert good.outcome(True) == (True, True, False) and good.outcome(False) == (False, False, True)
    assert none.outcome(True) == (False, False, False) and none.outcome(False) == (True, True, True)
    # a definition decided (no signals): the model is not asked
    decided = Row("3", "s", "corpus", "zh", "article", ["d"], True, None, True, True, False)
    assert decided.outcome(False) == (True, True, False)


def test_a_fitted_model_separates_what_its_signals_separate():
    model = fitting.fit(_rows())
    assert model.probability_of(_row(0, "x", True, 0.9).signals) > 0.5 > model.probability_of(
        _row(0, "x", False, 0.05).signals)
    figures = metrics(_rows(), lambda r: fitting.decide(model, r))
    assert figures["accuracy"] == 1.0 and figures["abstention_recall"] == 1.0


def test_leave_documents_out_never_fits_on_a_question_about_the_held_out_documents(monkeypatch):
    rows = _rows() + _rows(HELD_OUT)
    for fold in (IN_SAMPLE, HELD_OUT):  # a comparison of two documents, asked in both folds
        comparison = next(r for r in rows if r.fold == fold and r.id == "59")
        comparison.documents = ["doc3", "doc1"]
    seen = []
    real_fit = fitting.fit

    def recording_fit(train):
        seen.append({d for r in train for d in r.documents})
        return real_fit(train)

    monkeypatch.setattr(fitting, "fit", recording_fit)
    decided = leave_documents_out(rows)
    assert len(decided) == 60
    every = {"doc0", "doc1", "doc2", "doc3"}
    left_out = sorted(sorted(every - documents) for documents in seen)
    # one fold a document, and the comparison's fold without either of its documents
    assert left_out == [["doc0"], ["doc1"], ["doc1", "doc3"], ["doc2"], ["doc3"]]


def test_a_question_about_no_document_is_left_out_in_every_library_it_was_asked_of(monkeypatch):
    rows = _rows() + _rows(HELD_OUT)
    for r in list(rows):
        if r.id == "3":
            r.documents = []
            rows.append(Row(r.id, r.set, "corpus+more", r.lang, r.type, [], r.answerable, r.signals, r.passed,
                            r.strict, r.abstained, r.fold))
    trained = []
    real_fit = fitting.fit
    monkeypatch.setattr(fitting, "fit", lambda train: trained.append(train) or real_fit(train))
    leave_documents_out(rows)
    for train in trained:
        if not any(r.id == "3" for r in train):
            break
    else:
        raise AssertionError("every fold fitted on the question about no document")
    assert sum(not any(r.id == "3" for r in train) for train in trained) == 1


def test_too_few_rows_or_one_class_is_a_clear_error():
    with pytest.raises(RagError, match="cannot fit"):
        fitting.fit([r for r in _rows() if r.answerable])
    with pytest.raises(RagError, match="cannot fit the ranker"):
        fitting.fit_ranker([Candidate("q", ["d"], [0.0] * len(FEATURES), True)])


def test_a_document_named_two_ways_is_one_document(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "plan.txt").write_text("同一份文件", encoding="utf-8")
    (tmp_path / "b" / "000_x.txt").write_text("同一份文件", encoding="utf-8")
    keys = fitting.document_keys([tmp_path])
    assert keys("plan") == keys(["000_x.txt"]) and keys(None) == keys("") == []
    assert keys("elsewhere.md") == ["elsewhere.md"]


def test_a_gold_sentence_holds_the_evidence_or_a_long_run_of_it():
    evidence = "技术合同经认定登记后，当事人可以享受国家和本市的有关优惠政策。"
    assert gold_sentence("第二十一条 技术合同经认定登记后，当事人可以享受国家和本市的有关优惠政策", evidence)
    assert gold_sentence("技术合同经认定登记后", evidence) is False  # shorter than the run asked
    assert gold_sentence("当事人可以享受 国家和本市的有关优惠", evidence)
    assert not gold_sentence("技术合同登记机构应当公示收费标准", evidence)
    assert gold_sentence("按至少70%的比例划归成果完成人及其团队所有", "70%的比例")


def test_the_ranker_learns_the_feature_that_marks_the_gold_sentence():
    coverage = FEATURES.index("coverage")
    candidates = []
    for q in range(30):
        for s in range(6):
            features = [0.1 * ((q + s) % 3)] * len(FEATURES)
            features[coverage] = 0.9 if s == 0 else 0.2 + 0.01 * s
            candidates.append(Candidate(f"q{q}", [f"doc{q % 3}"], features, s == 0))
    ranker = fitting.fit_ranker(candidates)
    assert ranker.weights[coverage] > 0
    assert fitting.ranker_hits(candidates, lambda c: ranker) == 1.0
    without = fitting.rankers_without(candidates)
    assert set(without) == {frozenset({"doc0"}), frozenset({"doc1"}), frozenset({"doc2"})}
    assert fitting.ranker_hits(candidates, lambda c: without[frozenset(c.documents)]) == 1.0


def test_the_committed_models_belong_together_and_to_the_committed_rows():
    from rag.reading.sentence_ranker import SentenceRanker

    rows = training.load_rows()
    committed = Answerability.load()
    # the ranking score is a signal: the model was fitted on rows the committed ranker scored
    assert committed.about["ranker_weights"] == SentenceRanker.load().weights
    refitted = fitting.fit([r for r in rows if r.fold == IN_SAMPLE])
    assert refitted.names == committed.names
    assert refitted.coef == pytest.approx(committed.coef, abs=1e-6)
    assert refitted.intercept == pytest.approx(committed.intercept, abs=1e-6)


def test_leave_documents_out_figures_meet_the_gate_and_stay_near_the_in_sample_ones():
    """The CI gate on generalisation: every set, each document's questions decided by models
    fitted without them."""
    rows = training.load_rows()
    figures = training.report(rows, fitting.fit([r for r in rows if r.fold == IN_SAMPLE]))
    gate = load_thresholds(PROJECT_ROOT / "eval" / "thresholds-fitted.toml")
    assert gate, "the gate names no minimum"
    failures = []
    for metric, minimum in gate.items():
        name, _, key = metric.rpartition(".")
        value = figures[name]["leave_documents_out"][key]
        if value is None or value < minimum:
            failures.append(f"{name} {key} = {value} < {minimum}")
    for name, both in figures.items():
        gap = both["in_sample"]["accuracy"] - both["leave_documents_out"]["accuracy"]
        if gap > 0.05:
            failures.append(f"{name}: in-sample accuracy exceeds leave-documents-out by {gap:.3f} (> 0.05)")
    assert not failures, failures


def test_the_plan_reads_shared_paths_from_the_shared_folder_and_names_each_library(tmp_path):
    plan = tmp_path / "training.toml"
    plan.write_text('[[set]]\npath = "shared/eval-pool"\nlibraries = [[], ["shared/regulations", "eval"]]\n',
                    encoding="utf-8")
    (only,) = training.load_plan(plan, shared=tmp_path / "team")
    assert only.path == tmp_path / "team" / "eval-pool"
    assert only.libraries == [(), (tmp_path / "team" / "regulations", PROJECT_ROOT / "eval")]
    assert [training.library_name(lib) for lib in only.libraries] == ["corpus", "corpus+regulations+eval"]
    with pytest.raises(RagError, match="training plan"):
        training.load_plan(tmp_path / "missing.toml")
    plan.write_text("[[set]\n", encoding="utf-8")
    with pytest.raises(RagError):
        training.load_plan(plan)


def test_the_committed_plan_names_the_three_labelled_sets():
    names = {training.set_name(p.path) for p in training.load_plan()}
    assert names == {"qa", "eval-blind", "eval-pool"}
