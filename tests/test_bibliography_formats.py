"""Bibliography files by format: the format a file's suffix names writes and reads its entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from citels.bibliography.formats import BIBTEX, format_of
from citels.papers import Paper

PAPER = Paper(title="Mirror Descent Policy Optimization", key="tomar2020mirror", year=2020,
              authors=["Manan Tomar", "Lior Shani"], abstract="We propose MDPO.")


@pytest.mark.parametrize("name", ["refs.bib", "REFS.BIB", "refs.biblatex", "references"])
def test_bibtex_serves_bib_files_and_files_no_format_claims(name):
    assert format_of(Path(name)) is BIBTEX


def test_an_entry_rendered_appended_and_read_back_through_the_format():
    bib = format_of(Path("refs.bib"))
    existing = "@misc{other,\r\n  title = {Other},\r\n}\r\n"
    entry = bib.render_entry(PAPER, include_abstract=False)
    append = bib.append_entry(existing, PAPER.key, entry)
    assert append is not None and "\r\n" in append.text and "abstract" not in append.text
    written = existing + append.text
    found = bib.find_entry(written, "TOMAR2020MIRROR", "refs.bib")
    assert found is not None
    assert (found.key, found.fields["title"], found.fields["year"], found.source) == (
        "tomar2020mirror", "Mirror Descent Policy Optimization", "2020", "refs.bib")
    assert bib.append_entry(written, PAPER.key, entry) is None  # never a second entry
