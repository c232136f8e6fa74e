"""The ranker: the evaluation figures must not regress, and no typed text can break it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from citels.indexer import index_corpus
from citels.papers import Paper
from citels.ranking import rank
from citels.search_index import Candidate, SearchIndex, Word, WordGroup
from citels.store import Store
from citels.text import words

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


# --- the ranker against an index in memory: it needs no SQLite, only a SearchIndex ---------

PAPERS_IN_MEMORY = [
    Paper(key="tomarMirror2020", title="Mirror Descent Policy Optimization",
          abstract="We propose an efficient RL algorithm built on mirror descent."),
    Paper(key="bankerOnline2019", title="Online Mirror Descent for Bandits",
          abstract="Regret bounds for adversarial bandits."),
    Paper(key="zbontarBarlow2021", title="Barlow Twins: Self-Supervised Learning",
          abstract="Redundancy reduction between twin networks."),
    Paper(key="hadfieldOff2017", title="The Off-Switch Game",
          abstract="A robot that is uncertain about its objective lets itself be switched off."),
]


class MemoryIndex:
    """A SearchIndex in plain Python: a paper matches a word group when any of the group's
    words is one of its words (a prefix word: starts one of them)."""

    def __init__(self, papers: list[Paper]) -> None:
        self.papers = dict(enumerate(papers, start=1))
        self.title_words = {i: set(words(p.title or "")) | {(p.key or "").lower()}
                            for i, p in self.papers.items()}
        self.all_words = {i: self.title_words[i] | set(words(p.abstract or ""))
                          for i, p in self.papers.items()}
        self.vocabulary: dict[str, int] = {}
        for paper_words in self.all_words.values():
            for word in paper_words:
                self.vocabulary[word] = self.vocabulary.get(word, 0) + 1
        self.title_searches: list[list[WordGroup]] = []  # what the ranker asked, in order

    @staticmethod
    def _matches(paper_words: set[str], groups: list[WordGroup]) -> bool:
        return all(any(w.text in paper_words or (w.prefix and any(
            p.startswith(w.text) for p in paper_words)) for w in group)
            for group in groups if group)

    def paper_total(self) -> int:
        return len(self.papers)

    def document_frequency(self, term: str) -> int:
        return self.vocabulary.get(term, 0)

    def has_term_with_prefix(self, prefix: str) -> bool:
        return any(term.startswith(prefix) for term in self.vocabulary)

    def completions(self, prefix: str, limit: int) -> tuple[list[str], int]:
        found = sorted((-n, t) for t, n in self.vocabulary.items() if t.startswith(prefix))
        return [t for _, t in found[:limit]], -sum(n for n, _ in found)

    def terms_between(self, low: str, high: str) -> list[tuple[str, int]]:
        return [(t, n) for t, n in sorted(self.vocabulary.items()) if low <= t < high]

    def search_titles(self, groups, limit: int) -> list[int]:
        self.title_searches.append(list(groups))
        shortest_first = sorted(self.papers, key=lambda i: (len(self.title_words[i]), i))
        return [i for i in shortest_first
                if self._matches(self.title_words[i], list(groups))][:limit]

    def search_texts(self, groups, limit: int, *, best_first: bool,
                     excluded=()) -> list[int]:
        return [i for i in self.papers if self._matches(self.all_words[i], list(groups))
                and not (excluded and self._matches(self.all_words[i], [excluded]))][:limit]

    def search_works(self, groups, facet_groups, limit: int) -> list[int]:
        return []  # no people, venues or years in these papers

    def facet_frequency(self, term: str) -> tuple[int, int]:
        return 0, 0

    def has_name_with_prefix(self, prefix: str) -> bool:
        return False

    def names_between(self, low: str, high: str) -> list[tuple[str, int]]:
        return []

    def papers_with_identifiers(self, identifiers) -> list[int]:
        return []

    def keys_with_prefix(self, prefix: str, limit: int) -> list[tuple[int, str]]:
        keys = [(i, p.key or "") for i, p in self.papers.items()
                if (p.key or "").lower().startswith(prefix.lower())]
        return sorted(keys, key=lambda item: (len(item[1]), item[1].lower()))[:limit]

    def candidates(self, paper_ids) -> list[Candidate]:
        return [Candidate(i, self.papers[i].key or "", self.papers[i].title,
                          self.papers[i].abstract) for i in paper_ids if i in self.papers]

    def papers_by_id(self, paper_ids) -> dict[int, Paper]:
        return {i: self.papers[i] for i in paper_ids if i in self.papers}


@pytest.fixture
def memory_index() -> MemoryIndex:
    return MemoryIndex(PAPERS_IN_MEMORY)


def test_the_ranker_asks_for_word_groups_with_the_unfinished_word_as_a_prefix(
        memory_index: MemoryIndex):
    index: SearchIndex = memory_index
    hits = rank(index, "polic")
    assert hits[0].paper.title == "Mirror Descent Policy Optimization"
    assert memory_index.title_searches[0] == [(Word("polic", prefix=True),)]


def test_while_a_word_is_typed_the_papers_with_the_finished_words_are_asked_first(
        memory_index: MemoryIndex):
    # Few papers have "mirror descent": all of them are scored, and the search asked is
    # the same at every keystroke of "policy" (so the store keeps its answer).
    for typed in ("mirror descent p", "mirror descent pol", "mirror descent polic"):
        memory_index.title_searches.clear()
        hits = rank(memory_index, typed)
        assert hits[0].paper.title == "Mirror Descent Policy Optimization"
        asked = [group for group in memory_index.title_searches[0] if group]
        assert asked == [(Word("mirror"),), (Word("descent"),)]


def test_a_typo_becomes_a_group_of_spellings_against_any_index(memory_index: MemoryIndex):
    hits = rank(memory_index, "barlwo twins", prefix=False)
    assert hits[0].paper.key == "zbontarBarlow2021"
    assert (Word("barlwo"), Word("barlow")) in memory_index.title_searches[0]


def test_an_abstract_finds_a_paper_whose_title_does_not_have_the_words(
        memory_index: MemoryIndex):
    hits = rank(memory_index, "robot switched off", prefix=False)
    assert hits[0].paper.title == "The Off-Switch Game"


def test_an_exact_key_wins_against_a_memory_index_too(memory_index: MemoryIndex):
    assert rank(memory_index, "bankerOnline2019")[0].paper.key == "bankerOnline2019"
    assert rank(memory_index, "the of and") == []


def test_a_title_missing_one_typed_word_is_found_among_many_abstracts_with_all(
        tmp_path: Path):
    # Twenty papers have every typed word in their abstracts; the paper meant has two of
    # them in its title and not the third (the writer misremembered it). Searching with
    # a word left out must find papers without that word, not the twenty again.
    entries = [f"@article{{crowd{n},\n  title = {{Survey of Mountain Hydrology Part {n}}},\n"
               f"  abstract = {{Glacier albedo feedback in region {n}.}},\n  year = {{2020}}\n}}"
               for n in range(20)]
    entries.append("@article{meant,\n  title = {Glacier Albedo Dynamics},\n  year = {2021}\n}")
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "library.bib").write_text("\n\n".join(entries) + "\n", encoding="utf-8")
    store = Store(tmp_path / "index.sqlite3")
    index_corpus(store, [folder])
    keys = [hit.paper.key for hit in rank(store, "glacier albedo feedback", prefix=False)]
    assert "meant" in keys[:5]
