"""The user's own libraries as corpus: .bib (bibtexparser 2) and CSL-JSON."""

from __future__ import annotations

from pathlib import Path

import bibtexparser

from citels.bibliography.entry import to_bibtex
from citels.corpus import read_records
from citels.indexer import index_corpus
from citels.ranking import rank
from citels.store import Store
from cli_helpers import citels_json, run_citels

FIXTURES = Path(__file__).parent / "fixtures"
LIBRARY = FIXTURES / "library.bib"
BUNDLED = Path(__file__).resolve().parents[1] / "corpus"


def read(path: Path):
    return read_records(path, path.read_bytes(), path.name)


def test_bib_entries_are_read_with_keys_names_macros_and_crossref():
    result = read(LIBRARY)
    papers = {p.source_key: p for p in result.papers}
    assert list(papers) == ["goedel1931", "schulman2017ppo", "neurips2017", "tomar2020mdpo",
                            "kingma2014adam", "knuth1984texbook", "after2021broken"]
    goedel = papers["goedel1931"]
    assert goedel.title == "Über formal unentscheidbare Sätze der Principia Mathematica"
    assert goedel.authors == ["Gödel, Kurt"]
    assert (goedel.year, goedel.month, goedel.doi) == (1931, 1, "10.1007/BF01700692")
    assert goedel.venue == "Monatshefte für Mathematik und Physik"
    # @string macros expanded, crossref inherited (the proceedings' title as booktitle).
    assert papers["tomar2020mdpo"].venue == "Journal of Machine Learning Research"
    assert papers["schulman2017ppo"].venue == (
        "Advances in Neural Information Processing Systems 30")
    assert papers["schulman2017ppo"].year == 2017
    assert papers["knuth1984texbook"].title == "The TeXbook"
    assert papers["goedel1931"].sources[0].line == 6


def test_titles_with_inline_math_read_as_a_whole_walk_of_them_reads(tmp_path: Path):
    # Math is converted alone and the rest as simple LaTeX (a whole pylatexenc walk of each
    # title took a millisecond); the text is what the whole walk gives, and a title whose
    # rest is not simple LaTeX is still walked whole.
    from citels.corpus.latex_text import _converted

    titles = ["Learning Weighted Top-$k$ Support Vector Machine",
              r"{MoS}$^2$: Mixture \emph{of} Scale and Shift Experts",
              r"Reweighted $\ell_1$ and $\ell_2$ Regularization",
              r"On $\alpha$-Divergences by St{\'e}phan Cl{\'e}men{\c c}on",
              r"A $k$-means \foo{Macro} with an unknown macro"]
    bib = tmp_path / "math.bib"
    bib.write_text("".join(f"@article{{t{number},\n  title = {{{title}}},\n}}\n\n"
                           for number, title in enumerate(titles)), encoding="utf-8")
    papers = read(bib).papers
    assert [paper.title for paper in papers] == [
        " ".join(_converted(title).split()) for title in titles]
    assert papers[0].title == "Learning Weighted Top-k Support Vector Machine"
    assert papers[3].title == "On α-Divergences by Stéphan Clémençon"


def test_a_broken_entry_is_skipped_with_its_file_and_line():
    result = read(LIBRARY)
    assert result.warnings == [
        "library.bib:54: an entry with a syntax error (unbalanced braces or quotes, or a"
        " missing comma); skipped"]


def test_csl_json_items():
    result = read(FIXTURES / "library.json")
    sac, barlow = result.papers
    assert sac.source_key == "haarnoja2018sac"
    assert sac.authors == ["Haarnoja, Tuomas", "Zhou, Aurick"]
    assert (sac.date, sac.year, sac.entry_type) == ("2018-07-10", 2018, "inproceedings")
    assert sac.venue == "Proceedings of the 35th International Conference on Machine Learning"
    assert sac.doi == "10.48550/arXiv.1801.01290"
    assert sac.urls == ["https://proceedings.mlr.press/v80/haarnoja18b.html"]
    assert barlow.year == 2021 and barlow.date is None
    assert result.warnings == ["library.json:20: item 3 has no id; skipped"]
    entry = to_bibtex(sac, include_abstract=False)
    assert entry.startswith("@inproceedings{haarnoja2018sac,\n  author    = {Haarnoja, Tuomas"
                            " and Zhou, Aurick},\n")
    assert "  booktitle = {Proceedings of the 35th International Conference on Machine" in entry
    assert "  month     = jul,\n" in entry


def test_round_trip_keeps_every_field_and_stands_alone(tmp_path: Path):
    store = Store(tmp_path / "db.sqlite3")
    index_corpus(store, [LIBRARY])
    original = bibtexparser.parse_string(LIBRARY.read_text(), parse_stack=[])
    written = "\n".join(to_bibtex(p) for p in store.papers())
    again = bibtexparser.parse_string(written, parse_stack=[])
    before = {e.key: (e.entry_type, {f.key: f.value for f in e.fields}) for e in original.entries}
    after = {e.key: (e.entry_type, {f.key: f.value for f in e.fields}) for e in again.entries}
    # Written byte for byte, but for what needs a definition the entry does not carry:
    # @string macros are expanded, and a crossref parent's fields are copied in.
    for key in ("tomar2020mdpo", "after2021broken"):
        before[key][1]["journal"] = "{Journal of Machine Learning Research}"
    before["neurips2017"][1]["title"] = "{Advances in Neural Information Processing Systems 30}"
    child = before["schulman2017ppo"][1]
    del child["crossref"]
    child.update(booktitle="{Advances in Neural Information Processing Systems 30}",
                 year="{2017}", publisher="{Curran}")
    assert after == before
    assert "@string" not in written and "jmlr" not in written


def test_a_paper_in_the_corpus_and_the_library_is_one_paper_under_the_users_key(
        tmp_path: Path):
    store = Store(tmp_path / "db.sqlite3")
    report = index_corpus(store, [BUNDLED, LIBRARY, FIXTURES / "library.json"])
    assert store.get("mirrorDescentPolicy2020") is None
    mdpo = store.get("tomar2020mdpo")
    assert mdpo is not None and mdpo.abstract.startswith("Mirror descent (MD)")
    assert {s.path for s in mdpo.sources} == {"003_6d043cc75c47332d.txt",
                                              "004_55f7b067abe0f730.txt", "library.bib"}
    assert store.get("barlow2021").authors == ["Zbontar, Jure"]
    assert store.paper_counts()[0] == 400 + 7 + 2 - 2  # MDPO and Barlow Twins merged
    hits = rank(store, "mirror descent policy optimization")
    assert hits[0].paper.key == "tomar2020mdpo"
    assert "library.bib:54" in "\n".join(report.warnings)


def test_cli_indexes_a_library_and_finds_entries_under_the_users_keys(tmp_path: Path):
    db = str(tmp_path / "db.sqlite3")
    result = run_citels("index", str(LIBRARY), "--db", db)
    assert "warning: library.bib:54:" in result.stderr
    hits = citels_json("search", "--json", "proximal policy", "--db", db,
                       "--corpus", str(LIBRARY))
    assert hits[0]["key"] == "schulman2017ppo"
    hits = citels_json("search", "--json", "godel unentscheidbare", "--db", db,
                       "--corpus", str(LIBRARY))
    assert hits[0]["key"] == "goedel1931"
