"""The ranker: the evaluation figures must not regress, and no typed text can break it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from citels.indexer import index_corpus
from citels.ranking import rank
from citels.store import Store

sys.path.insert(0, str(Path(__file__).parent / "ranking"))
import evaluate  # noqa: E402
from distractors import write_distractor_corpus  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def test_evaluation_on_the_bundled_corpus(bundled_store: Store):
    queries = evaluate.load_queries()
    evaluate.check_answers_exist(bundled_store, queries)
    assert len(queries) >= 80
    table = evaluate.report(evaluate.evaluate(bundled_store, queries))
    assert table["overall"]["recall@5"] >= 0.97
    assert table["overall"]["mrr"] >= 0.95
    for kind, row in table.items():
        assert row["recall@5"] >= 0.9, kind


def test_evaluation_among_generated_distractors(tmp_path: Path):
    store = Store(tmp_path / "index.sqlite3")
    distractors = write_distractor_corpus(REPO / "corpus", tmp_path, count=3000, seed=7)
    index_corpus(store, [REPO / "corpus", distractors])
    assert store.paper_counts()[0] == 3400
    table = evaluate.report(evaluate.evaluate(store, evaluate.load_queries()))
    assert table["unambiguous"]["recall@5"] >= 0.92
    assert table["unambiguous"]["mrr"] >= 0.85


def test_distractors_are_deterministic_and_copy_no_rare_name(tmp_path: Path):
    first = write_distractor_corpus(REPO / "corpus", tmp_path / "a", count=300, seed=3)
    second = write_distractor_corpus(REPO / "corpus", tmp_path / "b", count=300, seed=3)
    text = first.read_text()
    assert text == second.read_text()
    for name in ("KLoM", "VinePPO", "Hanabi", "TÜLU", "CyberSecEval", "RLHF-V"):
        assert name not in text


@pytest.mark.parametrize("text", ["", "   ", "the of and", "!!! ???", "a an the"])
def test_queries_of_only_stop_words_or_punctuation_return_nothing(bundled_store: Store, text):
    assert rank(bundled_store, text) == []


@pytest.mark.parametrize(
    "text",
    ['"', '"mirror', "*", "mirror*", "(", "NEAR(", "NEAR(mirror descent, 3)", "AND", "OR NOT",
     "-", "- mirror", "^mirror", "title:mirror", "{title}: x", "mirror AND", "x" * 10_000,
     "mirror " * 2000, "😀 emoji", "\x00null", "desc\"ent"],
)
def test_fts_syntax_typed_by_the_user_never_raises(bundled_store: Store, text: str):
    hits = rank(bundled_store, text)
    assert isinstance(hits, list)


def test_an_exact_key_wins_over_everything(bundled_store: Store):
    hits = rank(bundled_store, "mirrorDescentPolicy2020")
    assert hits[0].paper.key == "mirrorDescentPolicy2020"
    hits = rank(bundled_store, "offSwitch")
    assert hits[0].paper.title == "The Off-Switch Game"


def test_papers_already_cited_come_first_among_equals(bundled_store: Store):
    plain = [h.paper.key for h in rank(bundled_store, "policy gradient", limit=5)]
    favoured = plain[3]
    cited = [h.paper.key for h in rank(bundled_store, "policy gradient", limit=5, cited=[favoured])]
    assert cited[0] == favoured
    assert cited[1:] == [key for key in plain if key != favoured][:4]
    # A clear winner is not overturned: the exact title still wins against a cited paper.
    exact = rank(bundled_store, "mirror descent policy optimization",
                 cited=["bankerOnlineMirror"])
    assert exact[0].paper.title == "Mirror Descent Policy Optimization"


def test_a_lower_case_word_that_starts_a_key_is_a_search_not_a_key(bundled_store: Store):
    # "bandits" starts the key banditsReplenishableKnapsacks, but the writer typed a word.
    hits = rank(bundled_store, "bandits", limit=3)
    assert all("Bandit" in (h.paper.title or "") for h in hits)
    assert hits[0].score < 20


def test_ties_are_broken_deterministically(bundled_store: Store):
    runs = {tuple(h.paper.key for h in rank(bundled_store, "learning", limit=40))
            for _ in range(3)}
    assert len(runs) == 1
