"""Where Typst and Org documents' entries go, which YAML files are libraries, and the README's
Typst and Org editor snippets."""

from __future__ import annotations

from pathlib import Path

import pytest

from citels.bibliography.locate import (
    declared_bibliography_files,
    find_bibliography,
    hayagriva_bibliographies,
)
from citels.catalogue import workspace_bib_files
from citels.cite_syntax import ORG, TYPST
from citels.corpus import read_records
from citels.indexer import IndexReport, find_corpus_files
from citels.workspace import project_files

REPO = Path(__file__).resolve().parents[1]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_typst_chapter_uses_its_main_files_and_templates_bibliographies(tmp_path: Path):
    write(tmp_path / "main.typ", '#import "tpl/paper.typ": conf\n#include "ch/one.typ"\n'
          '#bibliography(("refs.yml", "more.bib"))\n')
    write(tmp_path / "tpl" / "paper.typ", '#let conf(body) = body\n#bibliography("/lib.bib")\n')
    chapter = write(tmp_path / "ch" / "one.typ", "Text @x\n")
    files = declared_bibliography_files(chapter, chapter.read_text(), TYPST, [tmp_path])
    assert files == [tmp_path / "refs.yml", tmp_path / "more.bib", tmp_path / "lib.bib"]
    found = find_bibliography(chapter, chapter.read_text(), TYPST, [tmp_path])
    assert (found.path, found.declared) == (tmp_path / "refs.yml", True)


def test_the_editors_text_of_a_typst_file_counts_not_the_saved_one(tmp_path: Path):
    document = write(tmp_path / "main.typ", "Nothing yet\n")
    found = find_bibliography(document, '#bibliography("new.yml")', TYPST, [tmp_path])
    assert found.path == tmp_path / "new.yml"


def test_without_a_declaration_entries_go_to_references_bib_beside_the_document(tmp_path: Path):
    for name, language in (("a/paper.typ", TYPST), ("b/notes.org", ORG)):
        document = write(tmp_path / name, "Text\n")
        found = find_bibliography(document, "Text\n", language, [tmp_path])
        assert (found.path, found.declared) == (document.parent / "references.bib", False)


def test_org_bibliography_lines(tmp_path: Path):
    document = write(tmp_path / "notes.org", "")
    text = "#+bibliography: refs.bib\n#+BIBLIOGRAPHY: \"lib/other.bib\"\n#+cite_export: basic\n"
    assert declared_bibliography_files(document, text, ORG, [tmp_path]) == [
        tmp_path / "refs.bib", tmp_path / "lib" / "other.bib"]


def test_project_files_include_typst_and_org(tmp_path: Path):
    for name in ("a.tex", "b.typ", "c.org", "d.yml"):
        write(tmp_path / name, "")
    assert [p.name for p in project_files([tmp_path])] == ["a.tex", "b.typ", "c.org"]


def test_only_declared_yaml_files_are_workspace_libraries(tmp_path: Path):
    write(tmp_path / "refs.bib", "")
    write(tmp_path / "paper" / "main.typ", '#bibliography(("../lib/refs.yml", "missing.yml"))')
    library = write(tmp_path / "lib" / "refs.yml", "a:\n  type: misc\n  title: A\n")
    write(tmp_path / ".github" / "ci.yml", "on: push\n")
    write(tmp_path / "mkdocs.yml", "site_name: x\n")
    assert hayagriva_bibliographies([tmp_path]) == [library]
    assert workspace_bib_files([tmp_path]) == [tmp_path / "refs.bib", library]


def test_yaml_in_a_corpus_folder_is_not_read_but_a_named_one_is(tmp_path: Path):
    folder = tmp_path / "corpus"
    write(folder / "papers.bib", "@misc{a, title = {A}}\n")
    library = write(folder / "refs.yml", "smith21:\n  type: article\n  title: Widgets\n")
    report = IndexReport()
    assert [path for path, _ in find_corpus_files([folder], report)] == [
        (folder / "papers.bib").resolve()]
    assert [path for path, _ in find_corpus_files([library], IndexReport())] == [
        library.resolve()]
    records = read_records(library, library.read_bytes(), library.name)
    assert [(p.key, p.title) for p in records.papers] == [("smith21", "Widgets")]


@pytest.mark.parametrize("snippet", ["helix/languages-typst-org.toml",
                                     "emacs/citels-eglot-typst-org.el"])
def test_readme_shows_the_typst_and_org_snippets(snippet: str):
    text = (REPO / "editors" / snippet).read_text().rstrip("\n")
    assert f"\n{text}\n```" in (REPO / "README.md").read_text(), snippet
