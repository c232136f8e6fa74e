"""Keys typed by prefix (issue 17): the key a writer is typing is offered from its first
letters on, in the styles people key their libraries in, while a word of a title still
finds the paper it names first."""

from __future__ import annotations

import pytest

from citels.indexer import index_corpus
from citels.papers import Hit
from citels.ranking import rank
from citels.store import Store
from citels.text import normalize_title

LIBRARY = r"""
@inproceedings{Sun:2019,
  author = {Sun, Wei and Okafor, Mary},
  title = {Graph Kernels for Molecules},
  year = {2019},
}
@inproceedings{Sun:2021,
  author = {Sun, Wei},
  title = {Message Passing on Point Clouds},
  year = {2021},
}
@inproceedings{sunlightMeasuringSolar2020,
  author = {Adeyemi, Tunde},
  title = {Sunlight: Measuring Solar Radiation with Phones},
  year = {2020},
}
@inproceedings{oepen2019erg,
  author = {Oepen, Stephan and Flickinger, Dan},
  title = {The English Resource Grammar},
  year = {2019},
}
@inproceedings{oepen2021mrp,
  author = {Oepen, Stephan},
  title = {Meaning Representation Parsing},
  year = {2021},
}
@inproceedings{deepak2020bandits,
  author = {Deepak, Anil},
  title = {Contextual Bandits with Knapsacks},
  year = {2020},
}
@inproceedings{lecunDeepLearning2015,
  author = {LeCun, Yann and Bengio, Yoshua and Hinton, Geoffrey},
  title = {Deep Learning},
  year = {2015},
}
@inproceedings{vaswaniAttentionAllYou2017,
  author = {Vaswani, Ashish},
  title = {Attention Is All You Need},
  year = {2017},
}
@inproceedings{sundararajanAxiomaticAttribution2017,
  author = {Sundararajan, Mukund},
  title = {Axiomatic Attribution for Deep Networks},
  year = {2017},
}
"""


# Papers whose titles and people start as the keys above do, under other keys: what a
# key's first letters compete with in a real library.
OTHERS = "".join(
    f"@article{{zz{number},\n  author = {{{author}}},\n  title = {{{title} {number}}},\n"
    f"  year = {{{2000 + number}}},\n}}\n"
    for number, (author, title) in enumerate(
        [("Sunak, Rishi", "Sunset Scheduling for Solar Farms"),
         ("Sunstein, Cass", "Sun Spots and Solar Cycles"),
         ("Oerter, Robert", "Oedipus Complex in Oral Epics"),
         ("Oettinger, Anna", "Oestrogen Signalling in Oedema"),
         ("Vasquez, Ana", "Vast Vocabularies for Verbs"),
         ("Vass, Peter", "Vasculature Imaging with Vessels"),
         ("Deering, Lee", "Deep Decoding of Dependency Trees"),
         ("Dee, John", "Deeper Networks for Depth Estimation")] * 3))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    folder = tmp_path_factory.mktemp("keys")
    (folder / "library.bib").write_text(LIBRARY + OTHERS, encoding="utf-8")
    store = Store(folder.parent / "keys.sqlite3")
    index_corpus(store, [folder])
    return store


def top_five(store: Store, typed: str) -> list[str]:
    return [hit.paper.key or "" for hit in rank(store, typed, limit=20)][:5]


@pytest.mark.parametrize("key", ["Sun:2019", "Sun:2021", "oepen2019erg", "oepen2021mrp",
                                 "vaswaniAttentionAllYou2017", "deepak2020bandits"])
def test_a_key_typed_letter_by_letter_is_in_the_top_five_from_its_first_letter(
        store: Store, key: str):
    missing = [key[:length] for length in range(1, len(key) + 1)
               if key not in top_five(store, key[:length])]
    assert missing == []


def test_keys_typed_with_their_capitals_come_first_newest_first(store: Store):
    assert top_five(store, "Sun")[:2] == ["Sun:2021", "Sun:2019"]
    assert top_five(store, "Sun:")[:2] == ["Sun:2021", "Sun:2019"]


def test_a_word_of_a_title_still_finds_its_paper_first(store: Store):
    # `deep` starts a key and a name (Deepak), but it is a word of titles: a search.
    assert top_five(store, "deep")[0] == "lecunDeepLearning2015"
    assert "deepak2020bandits" in top_five(store, "deep")
    # `sunlight` is a title's word, and a key starts with it: the title's paper first.
    assert top_five(store, "sunlight")[0] == "sunlightMeasuringSolar2020"
    assert top_five(store, "graph kernels")[0] == "Sun:2019"


def test_a_common_surname_in_a_big_library_still_lists_its_keys_exact_key_first(tmp_path):
    # More keys start with the surname than are ordered in full (store.KEYS_ORDERED): the
    # key typed in full still comes first, then keys that start so, newest first.
    entries = "".join(
        f"@article{{wang{chr(97 + n % 26)}{n},\n  author = {{Wang, Li}},\n"
        f"  title = {{Study number {n}}},\n  year = {{{1990 + n % 30}}},\n}}\n"
        for n in range(600))
    entries += "@article{wang,\n  author = {Wang, Li},\n  title = {The First},\n" \
               "  year = {1980},\n}\n"
    (tmp_path / "library.bib").write_text(entries, encoding="utf-8")
    store = Store(tmp_path / "keys.sqlite3")
    index_corpus(store, [tmp_path])
    keys = [key for _, key in store.keys_with_prefix("wang", 5)]
    assert keys[0] == "wang"
    assert all(key.startswith("wang") for key in keys) and len(keys) == 5
    years = [store.get(key).year for key in keys[1:]]
    assert years == sorted(years, reverse=True)
def test_a_key_typed_as_only_keys_are_lists_the_keys_that_start_so(store: Store):
    # A colon, an underscore, a year begun or a capital after a lower-case surname: no word
    # of a title is typed so, and the list is the keys (no search adds papers after them).
    assert [hit.paper.key for hit in rank(store, "Sun:20", limit=20)] == \
        ["Sun:2021", "Sun:2019"]
    assert [hit.paper.key for hit in rank(store, "oepen20", limit=20)] == \
        ["oepen2021mrp", "oepen2019erg"]
    assert [hit.paper.key for hit in rank(store, "vaswaniA", limit=20)] == \
        ["vaswaniAttentionAllYou2017"]
    # Typed so but starting no key of the library: searched (papers by Sun and Sunstein).
    assert "Sun:2019" in [hit.paper.key for hit in rank(store, "Sun:2021x", limit=20)]


@pytest.mark.parametrize("typed", ["mRNA", "iPhone", "deep", "Deep", "sunlight"])
def test_words_with_inner_capitals_or_none_are_still_searched(store: Store, typed: str):
    from citels.ranking import typed_as_only_a_key

    assert not typed_as_only_a_key(typed)


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    folder = tmp_path_factory.mktemp("key-corpus")
    # A corpus whose titles and people share the library's first letters, keyed otherwise.
    (folder / "corpus.bib").write_text(OTHERS.replace("@article{zz", "@article{corpus")
                                       .replace("{zz", "{c"), encoding="utf-8")
    store = Store(folder.parent / "key-corpus.sqlite3")
    index_corpus(store, [folder])
    return store


@pytest.mark.parametrize("typed", ["S", "Su", "Sun", "Sun:", "Sun:2019", "o", "oe", "oep",
                                   "oepen2019", "de", "deep", "sun", "vas", "vaswaniA",
                                   "solar", "deep networks", "c", "corpus1"])
@pytest.mark.parametrize("limit", [3, 20])
def test_the_catalogue_lists_what_every_store_ranked_in_full_would(
        store: Store, corpus_store: Store, typed: str, limit: int):
    # A store whose hits could not enter the list (another's typed keys fill it) is not
    # searched, and a key of one store typed as only keys are leaves the others only their
    # keys: the list is the one the stores' full rankings merged make, but for what a search
    # would have added after the typed keys.
    from citels.catalogue import Catalogue
    from citels.ranking import typed_as_only_a_key

    listed = [hit.paper.key for hit in Catalogue([store, corpus_store]).search(
        typed, limit=limit)]
    merged = _merged([rank(one, typed, limit=limit) for one in (store, corpus_store)], limit)
    if typed_as_only_a_key(typed) and any(
            key.lower().startswith(typed.lower()) for key in listed):
        starting = [key for key in merged if key.lower().startswith(typed.lower())]
        assert listed == starting
    else:
        assert listed == merged


def _merged(rankings: list[list[Hit]], limit: int) -> list[str | None]:
    """The keys of the stores' full rankings merged as the catalogue says it merges them:
    a paper in two stores (by title) once, as the first has it, at the better score."""
    best: dict[str, Hit] = {}
    for hits in rankings:
        for hit in hits:
            identity = normalize_title(hit.paper.title or "") or f"key:{hit.paper.key}"
            kept = best.get(identity)
            if kept is None or hit.score > kept.score:
                best[identity] = hit if kept is None else Hit(kept.paper, hit.score)
    ordered = sorted(best.values(), key=lambda hit: (-hit.score, (hit.paper.key or "").lower()))
    return [hit.paper.key for hit in ordered][:limit]
