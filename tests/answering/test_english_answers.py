"""English readers read English: the direct answer of an English question is mostly English
(outside quotes and parentheses, Latin letters outnumber Chinese characters) for at least 90%
of the English answers that are not abstentions, counted over the shared pool's questions with
its twelve regulations indexed (the blind set is counted by its gate, eval/thresholds-blind.toml)."""
from __future__ import annotations

import pytest

from tests.conftest import SHARED, index_documents

POOL = SHARED / "eval-pool"


@pytest.fixture(scope="module")
def pool_settings(tmp_path_factory):
    from rag.apps.evaluate import load_sets

    items = load_sets(POOL)
    names = sorted({d for i in items for d in ([i["source_doc"]] if isinstance(i.get("source_doc"), str)
                                                else i.get("source_doc") or [])})
    assert len(names) == 12, names
    return index_documents(tmp_path_factory, "pool", {n: SHARED / "regulations" / n for n in names}), items


@pytest.mark.slow
def test_english_direct_answers_on_the_pool_are_mostly_english(pool_settings):
    from rag.apps.evaluate import mostly_english
    from rag.pipeline.asking import answer

    settings, items = pool_settings
    answers = [answer(i["question"], settings=settings) for i in items if i["lang"] == "en"]
    answered = [a for a in answers if not a.abstained]
    assert len(answered) >= 40, f"only {len(answered)} of {len(answers)} English questions answered"
    english = [a for a in answered if mostly_english(a.short_answer)]
    assert len(english) >= 0.9 * len(answered), [a.short_answer for a in answered if a not in english][:5]
