"""Identifiers normalised from whatever a writer pastes or a library writes (issue 19)."""

from __future__ import annotations

import pytest

from citels.cite_syntax import latex, pandoc
from citels.corpus.identifiers import identifiers_in, normal_isbn, paper_identifiers
from citels.lsp.convert import completion_item
from citels.papers import Paper
from citels.render import paper_markdown, paper_plain, who_and_when


@pytest.mark.parametrize("text, expected", [
    ("1706.03762", [("arxiv", "1706.03762")]),
    ("1706.03762v5", [("arxiv", "1706.03762")]),
    ("hep-th/9901001", [("arxiv", "hep-th/9901001")]),
    ("arXiv:hep-th/9901001v2", [("arxiv", "hep-th/9901001")]),
    ("arXiv:1706.03762", [("arxiv", "1706.03762")]),
    ("https://arxiv.org/abs/1706.03762v2", [("arxiv", "1706.03762")]),
    ("https://arxiv.org/pdf/1706.03762.pdf", [("arxiv", "1706.03762")]),
    ("10.1145/3292500.3330701", [("doi", "10.1145/3292500.3330701")]),
    ("doi:10.1145/3292500.3330701", [("doi", "10.1145/3292500.3330701")]),
    ("HTTPS://DOI.ORG/10.1145/ABC.12", [("doi", "10.1145/abc.12")]),
    ("10.48550/arXiv.1706.03762", [("doi", "10.48550/arxiv.1706.03762"),
                                   ("arxiv", "1706.03762")]),
    ("pmid:31234567", [("pmid", "31234567")]),
    ("https://pubmed.ncbi.nlm.nih.gov/31234567/", [("pmid", "31234567")]),
    ("ISBN 0-262-03384-4", [("isbn", "9780262033848")]),
    ("9780262033848", [("isbn", "9780262033848")]),
    ("https://openalex.org/W2963403868", [("openalex", "W2963403868")]),
    ("https://www.semanticscholar.org/paper/Attention-Vaswani/"
     "204e3073870fae3d05bcbc2f6a8e263d9b72e776",
     [("s2paper", "204e3073870fae3d05bcbc2f6a8e263d9b72e776")]),
    # Words, years and paths are no identifiers.
    ("attention is all you need", []),
    ("vaswani 2017", []),
    ("see cs/0112017 now", []),
    ("https://example.org/a/1234567", []),
])
def test_identifiers_in_typed_or_pasted_text(text, expected):
    assert identifiers_in(text) == expected


def test_isbn_10_and_13_meet_in_one_form():
    assert normal_isbn("0-262-03384-4") == normal_isbn("978-0-262-03384-8") == "9780262033848"


def test_a_bib_entry_names_its_identifiers_in_its_own_fields():
    paper = Paper(doi="10.1234/X", urls=["https://arxiv.org/abs/2001.00001"],
                  fields={"eprint": "{1706.03762}", "archivePrefix": "{arXiv}",
                          "pmid": "{123}", "isbn": "{0-262-03384-4}"},
                  identifiers={"openalex": "https://openalex.org/W1"})
    assert set(paper_identifiers(paper)) == {
        ("doi", "10.1234/x"), ("arxiv", "2001.00001"), ("arxiv", "1706.03762"),
        ("pmid", "123"), ("isbn", "9780262033848"), ("openalex", "W1")}


def test_an_eprint_of_another_archive_is_not_an_arxiv_id():
    paper = Paper(fields={"eprint": "1706.03762", "archivePrefix": "HAL"})
    assert paper_identifiers(paper) == []


@pytest.mark.parametrize("line, typed", [
    (r"\cite{10.1234/abc.def", "10.1234/abc.def"),
    (r"See \citep{knuth1984, arXiv:1706.03762", "arXiv:1706.03762"),
    (r"\cite{https://doi.org/10.1/x", "https://doi.org/10.1/x"),
])
def test_latex_citations_take_identifiers_as_typed_text(line, typed):
    span = latex.citation_at([line], 0, len(line))
    assert span is not None and span.typed == typed


@pytest.mark.parametrize("line, typed", [
    ("[@arXiv:1706.03762", "arXiv:1706.03762"),
    ("As @doi:10.1/x", "doi:10.1/x"),
    ("[see @knuth1984; @10.1234/abc.d", "10.1234/abc.d"),
    ("[@https://arxiv.org/abs/1706.03762", "https://arxiv.org/abs/1706.03762"),
])
def test_pandoc_citations_take_identifiers_as_typed_text(line, typed):
    span = pandoc.citation_at([line], 0, len(line))
    assert span is not None and span.typed == typed


def test_a_finished_pandoc_citation_ends_before_its_full_stop():
    keys = [span.key for span in pandoc.cited_keys(["As @arXiv:1706.03762. Then"])]
    assert keys == ["arXiv:1706.03762"]


ATTENTION = Paper(
    title="Attention Is All You Need", key="vaswani2017attention", year=2017,
    authors=[f"Author{i} Person{i}" for i in range(12)], venue="NeurIPS",
    doi="10.5555/3295222.3295349", identifiers={"arxiv": "1706.03762"})


def test_completion_items_say_who_and_when():
    assert who_and_when(ATTENTION) == "Person0 et al. 2017"
    assert who_and_when(Paper(authors=["Vaswani, Ashish", "Shazeer, Noam"])) == \
        "Vaswani & Shazeer n.d."
    from lsprotocol import types

    edit = types.TextEdit(range=types.Range(start=types.Position(0, 0),
                                            end=types.Position(0, 3)), new_text=ATTENTION.key)
    item = completion_item(ATTENTION, 1, "att", "att", edit, None, "file:///a.tex")
    assert item.label_details.description == "Person0 et al. 2017 · vaswani2017attention"
    assert item.detail == "Person0 et al. 2017 · vaswani2017attention"


def test_hover_lists_ten_authors_the_venue_and_identifiers_as_links():
    text = paper_markdown(ATTENTION)
    assert "Person9" in text and "Person10" not in text and "et al." in text
    assert "NeurIPS" in text
    assert "(<https://doi.org/10.5555/3295222.3295349>)" in text
    assert "(<https://arxiv.org/abs/1706.03762>)" in text
    assert "https://arxiv.org/abs/1706.03762" in paper_plain(ATTENTION)
