"""The readers' warnings as (line, message) records, for the editor's diagnostics."""

from __future__ import annotations

from pathlib import Path

import pytest

from citels.corpus import read_records
from citels.library_warnings import ReaderWarning, reader_warnings

REFS = Path("/work/thesis/refs.bib")


@pytest.mark.parametrize(("message", "expected"), [
    ("refs.bib:12: an entry without a key; skipped",
     ReaderWarning(12, "an entry without a key; skipped")),
    ("/work/thesis/refs.bib: reading stopped after 3 papers (EOF)",
     ReaderWarning(1, "reading stopped after 3 papers (EOF)")),
    ("/work/thesis/refs.bib:7: x repeats field title; the first value is kept",
     ReaderWarning(7, "x repeats field title; the first value is kept")),
    ("refs.bib: not a CSL-JSON list of items; skipped",
     ReaderWarning(1, "not a CSL-JSON list of items; skipped")),
    ("other.bib:3: an entry without a key; skipped", None),  # another file's
    ("refs.bib.bak:3: an entry without a key; skipped", None),
])
def test_a_warning_names_its_line_and_file(message: str, expected: ReaderWarning | None):
    assert reader_warnings(REFS, [message]) == ([expected] if expected else [])


def test_each_warning_once_in_order_of_line():
    messages = ["refs.bib:9: b", "refs.bib:2: a", "refs.bib:9: b"]
    assert reader_warnings(REFS, messages) == [ReaderWarning(2, "a"), ReaderWarning(9, "b")]


def test_the_bib_reader_names_the_line_of_each_problem(tmp_path: Path):
    bib = tmp_path / "refs.bib"
    bib.write_text("@article{,\n  title = {No key},\n}\n\n@article{a,\n  title = {One},\n"
                   "  year = 2001,\n  Title = {Two},\n}\n\n@incollection{b,\n  title = {B},\n"
                   "  xdata = {gone},\n  crossref = {nowhere},\n}\n", encoding="utf-8")
    read = read_records(bib, bib.read_bytes(), bib.name)
    assert [(w.line, w.message) for w in reader_warnings(bib, read.warnings)] == [
        (1, "an entry without a key; skipped"),
        (8, "a repeats field title; the first value is kept"),
        (11, "b has crossref nowhere, which no file of the library defines;"
             " nothing is inherited from it"),
        (11, "b has xdata gone, which no file of the library defines;"
             " nothing is inherited from it"),
    ]
    assert [p.source_key for p in read.papers] == ["a", "b"]


def test_an_undefined_string_is_named_but_months_and_defined_ones_are_not(tmp_path: Path):
    bib = tmp_path / "refs.bib"
    bib.write_text("@string{tub = {TUGboat}}\n\n@article{a,\n  journal = tub # { } # j-TUB,\n"
                   "  month = jan,\n  note = sept,\n  year = 1981,\n}\n", encoding="utf-8")
    read = read_records(bib, bib.read_bytes(), bib.name)
    assert [(w.line, w.message) for w in reader_warnings(bib, read.warnings)] == [
        (3, "a's journal uses @string j-TUB, which no file of the library defines;"
            " the name is kept"),
        (3, "a's note uses @string sept, which no file of the library defines;"
            " the name is kept"),
    ]
