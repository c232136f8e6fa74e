"""Bibliographies declared in YAML: Markdown front matter and Quarto project files."""

from __future__ import annotations

from pathlib import Path

from citels.bibliography.locate import find_bibliography, front_matter
from citels.cite_syntax import MARKDOWN


def test_front_matter_gives_its_bibliography_and_broken_yaml_gives_nothing():
    assert front_matter("---\ntitle: A\nbibliography: refs.bib\n---\nText") == {
        "title": "A", "bibliography": "refs.bib"}
    assert front_matter("---\ntitle: [unclosed\n---\nText") == {}
    assert front_matter("No front matter here") == {}


def test_a_broken_project_file_is_passed_over_for_the_next_one_up(tmp_path: Path):
    (tmp_path / "_quarto.yml").write_text("bibliography: book.bib\n")
    chapter = tmp_path / "chapters"
    chapter.mkdir()
    (chapter / "_metadata.yml").write_text("bibliography: [unclosed\n")
    document = chapter / "one.qmd"
    found = find_bibliography(document, "Text @x", MARKDOWN, [tmp_path])
    assert (found.path, found.declared) == (tmp_path / "book.bib", True)
