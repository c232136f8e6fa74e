"""Finding papers by who wrote them, where and when, and by a pasted identifier
(issue 19), on the small library in tests/fixtures/people."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import pytest

from citels.corpus.identifiers import paper_identifiers
from citels.indexer import index_corpus
from citels.ranking import rank
from citels.search_index import Word
from citels.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "people"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    folder = tmp_path_factory.mktemp("people")
    for name in ("library.bib", "library.json"):
        shutil.copy(FIXTURES / name, folder / name)
    store = Store(folder.parent / "people.sqlite3")
    index_corpus(store, [folder])
    return store


def keys(store: Store, text: str, limit: int = 20) -> list[str]:
    return [hit.paper.source_key or "" for hit in rank(store, text, limit=limit)]


def test_a_surname_with_title_words_ranks_that_persons_paper_first(store: Store):
    assert keys(store, "vaswani attention need")[0] == "vaswani2017attention"
    assert keys(store, "okafor attention need")[0] == "jones2018attention"
    assert keys(store, "vaswani attention scaling")[0] == "vaswani2019attention"
    # Not the first author: any author counts.
    assert keys(store, "polosukhin attention")[0] == "vaswani2017attention"
    assert keys(store, "hinton sne")[0] == "maaten2008tsne"


def test_a_surname_alone_lists_that_persons_papers_newest_first(store: Store):
    assert keys(store, "vaswani") == [
        "vaswani2019attention", "vaswani2017attention", "vaswani2013early"]
    assert keys(store, "levine")[:2] == ["levine2020offline", "haarnoja2018sac"]


def test_a_surname_being_typed_is_not_corrected_into_a_title_word(store: Store):
    assert keys(store, "vaswan")[0] == "vaswani2019attention"


def test_a_title_word_being_typed_after_a_surname_is_asked_as_its_completions_when_common(
        store: Store, monkeypatch: pytest.MonkeyPatch):
    # In a big index a word being typed that can become common words is asked of the
    # works index as its commonest completions (a prefix query would read all their
    # papers); here every word is rare, so the ranker is told to take them all as common.
    candidates = importlib.import_module("citels.ranking.candidates")
    asked: list = []
    search_works = store.search_works
    monkeypatch.setattr(store, "search_works", lambda groups, facets, limit: (
        asked.append(list(groups)) or search_works(groups, facets, limit)))
    for few, typed_word in ((candidates.FEW_MATCHES, (Word("decod", prefix=True),)),
                            (0, (Word("decoding"),))):
        monkeypatch.setattr(candidates, "FEW_MATCHES", few)
        asked.clear()
        assert keys(store, "vaswani decod")[0] == "vaswani2013early"
        assert asked[0] == [(Word("vaswani"),), typed_word]
        assert keys(store, "vaswani attenti")[0] == "vaswani2019attention"


def test_a_mistyped_name_still_finds_the_paper_below_an_exact_name(store: Store):
    assert keys(store, "vaswnai attention need")[0] == "vaswani2017attention"
    assert keys(store, "hintn 2012")[0] == "krizhevsky2012imagenet"
    assert keys(store, "hintn 2008")[0] == "maaten2008tsne"
    assert keys(store, "sutskevre imagenet")[0] == "krizhevsky2012imagenet"
    # A name corrected fits less than the name typed right.
    exact = rank(store, "vaswani attention need")[0].score
    assert rank(store, "vaswnai attention need")[0].score < exact


def test_a_name_is_not_corrected_while_it_can_still_become_a_name_or_title_word(store: Store):
    # "krizh" is still being typed: it starts a name, so it is that name, not a typo.
    assert keys(store, "krizh")[0] == "krizhevsky2012imagenet"
    # A word of a title is that word, not a typo of someone's name ("hinton" for "hint").
    assert keys(store, "scaling revisited")[0] == "vaswani2019attention"


@pytest.mark.parametrize("typed, key", [
    ("balazs", "szegedy2015theorem"),  # Bal\'azs: a LaTeX accent
    ("muller graphs", "szegedy2015theorem"),  # M{\"u}ller folded
    ("mueller graphs", "szegedy2015theorem"),  # ...and transliterated
    ("kaiser attention", "vaswani2017attention"),  # {\L}ukasz Kaiser
    ("van der maaten", "maaten2008tsne"),
    ("vandermaaten", "maaten2008tsne"),
    ("maaten", "maaten2008tsne"),
    ("de moura handbook", "handbook2020"),  # an editor
    ("openai technical report", "openai2023gpt4"),  # a corporate author
    ("consortium open data", "openalex2021"),
])
def test_names_are_found_however_they_are_written(store: Store, typed: str, key: str):
    assert keys(store, typed)[0] == key


def test_a_year_narrows_the_ranking_and_a_nearby_year_comes_just_below(store: Store):
    found = keys(store, "attention all you need 2018")
    assert found[0] == "jones2018attention"
    found = keys(store, "attention is all you need 2017")
    assert found[0] == "vaswani2017attention"
    assert set(found[1:3]) == {"jones2018attention", "smith2017attention"}  # 2018, 2016
    assert keys(store, "vaswani '19")[0] == "vaswani2019attention"
    assert keys(store, "vaswani 2013 decoding")[0] == "vaswani2013early"


def test_a_year_or_venue_that_matches_nothing_never_empties_the_list(store: Store):
    assert keys(store, "vaswani attention need 1950")[0] == "vaswani2017attention"
    assert keys(store, "okafor translation neurips")[0] == "jones2018attention"


def test_a_venue_narrows_the_ranking(store: Store):
    assert keys(store, "vaswani neurips")[0] == "vaswani2017attention"
    assert keys(store, "vaswani nips")[0] == "vaswani2017attention"
    assert keys(store, "attention all you need acl")[0] == "jones2018attention"
    assert keys(store, "attention tacl")[0] == "vaswani2019attention"


@pytest.mark.parametrize("typed, key", [
    ("1706.03762", "vaswani2017attention"),
    ("1706.03762v5", "vaswani2017attention"),
    ("arXiv:1706.03762", "vaswani2017attention"),
    ("https://arxiv.org/abs/1706.03762v2", "vaswani2017attention"),
    ("https://arxiv.org/pdf/1706.03762.pdf", "vaswani2017attention"),
    ("hep-th/9901001", "openai2023gpt4"),
    ("10.1162/tacl_a_00001", "vaswani2019attention"),
    ("doi:10.1162/TACL_A_00001", "vaswani2019attention"),
    ("https://doi.org/10.1162/tacl_a_00001", "vaswani2019attention"),
    ("10.48550/arXiv.1801.01290", "haarnoja2018sac"),
    ("1801.01290", "haarnoja2018sac"),  # the arXiv id of an arXiv DOI
    ("arXiv:2005.01643", "levine2020offline"),  # CSL-JSON number: arXiv:...
    ("pmid:12345678", "szegedy2015theorem"),
    ("ISBN 978-0-262-03384-8", "handbook2020"),  # given as ISBN-10
    ("https://openalex.org/W2963403868", "openalex2021"),
    ("https://www.semanticscholar.org/paper/Offline-RL/"
     "9a6f1b2c3d4e5f60718293a4b5c6d7e8f9012345", "levine2020offline"),
])
def test_a_pasted_identifier_puts_its_paper_first(store: Store, typed: str, key: str):
    assert keys(store, typed)[0] == key


def test_an_unknown_identifier_finds_nothing_rather_than_noise(store: Store):
    assert keys(store, "arXiv:9999.99999") == []


def test_a_deleted_paper_leaves_the_people_and_identifier_indexes(tmp_path: Path):
    folder = tmp_path / "library"
    folder.mkdir()
    shutil.copy(FIXTURES / "library.bib", folder / "library.bib")
    store = Store(tmp_path / "index.sqlite3")
    index_corpus(store, [folder])
    asked = [(Word("vaswani"),)]  # asked before the change, and again after it
    before = store.papers_by_id(store.search_works(asked, [], 10)).values()
    assert "vaswani2019attention" in [paper.source_key for paper in before]
    text = (folder / "library.bib").read_text(encoding="utf-8")
    (folder / "library.bib").write_text(
        text.replace("Vaswani, Ashish and Smith", "Taylor, Ashish and Smith"), encoding="utf-8")
    index_corpus(store, [folder])
    paper_ids = store.search_works(asked, [], 10)
    assert "vaswani2019attention" not in [
        paper.source_key for paper in store.papers_by_id(paper_ids).values()]
    assert keys(store, "taylor")[0] == "vaswani2019attention"
    assert keys(store, "10.1162/tacl_a_00001")[0] == "vaswani2019attention"
    # The replaced paper's identifiers went with it: the table holds the papers' own, no more.
    papers = store.papers_by_id(row[0] for row in store.conn.execute("SELECT id FROM papers"))
    assert set(store.conn.execute("SELECT scheme, value, paper_id FROM identifiers")) == {
        (scheme, value, paper_id) for paper_id, paper in papers.items()
        for scheme, value in paper_identifiers(paper)}
    for table in ("works_fts", "titles_fts", "texts_fts"):
        store.conn.execute(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')")


def test_a_paper_added_is_found_by_the_query_asked_just_before(tmp_path: Path):
    # Searches are answered from memory while the index is unchanged: a change ends that.
    folder = tmp_path / "library"
    folder.mkdir()
    shutil.copy(FIXTURES / "library.bib", folder / "library.bib")
    store = Store(tmp_path / "index.sqlite3")
    index_corpus(store, [folder])
    assert "zebra2024attention" not in keys(store, "attention")
    with (folder / "library.bib").open("a", encoding="utf-8") as bib:
        bib.write("\n@article{zebra2024attention,\n  author = {Mbeki, Thabo},\n"
                  "  title = {Attention for Zebra Crossings},\n  year = {2024},\n}\n")
    index_corpus(store, [folder])
    assert "zebra2024attention" in keys(store, "attention")
