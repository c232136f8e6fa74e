"""What the server knows of a document's project: its bibliography files and their entries."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from pygls.uris import from_fs_path

from citels.bibliography.formats import HAYAGRIVA, format_of
from citels.bibliography.hayagriva import defined_keys as hayagriva_keys
from citels.bibliography.locate import declared_bibliography_files, defined_in_document
from citels.cite_syntax import BIBTEX, KeySpan, bib_entry_keys
from citels.cite_syntax.lines import split_lines
from citels.lsp.documents import OpenDocument
from citels.lsp.server import CitelsServer
from citels.workspace import project_files


@dataclass(frozen=True)
class BibFile:
    """A bibliography as the editor has it (unsaved changes included), with its entry keys."""

    path: Path
    uri: str
    text: str
    version: int | None
    entries: list[KeySpan]

    def entry(self, key: str) -> KeySpan | None:
        """The file's entry for `key` (keys compare without case)."""
        return next((e for e in self.entries if e.key.lower() == key.lower()), None)


def uri_of(path: Path) -> str:
    """The file URI of a path, as pygls spells it."""
    return from_fs_path(str(path)) or path.as_uri()


def read_bib(ls: CitelsServer, path: Path) -> BibFile:
    """A bibliography as the editor has it; a file that cannot be read reads as empty."""
    uri = uri_of(path)
    opened = ls.workspace.text_documents.get(unquote(uri))
    if opened is not None:
        text, version = opened.source, opened.version
    else:
        try:
            text, version = path.read_bytes().decode("utf-8", errors="replace"), None
        except OSError:
            text, version = "", None
    lines = split_lines(text)
    is_hayagriva = format_of(path) is HAYAGRIVA
    return BibFile(path, uri, text, version,
                   hayagriva_keys(lines) if is_hayagriva else bib_entry_keys(lines))


def bibliographies(ls: CitelsServer, doc: OpenDocument) -> list[BibFile]:
    """Every bibliography the document uses, as the editor has them."""
    if doc.language is None:
        return []
    roots = ls.workspace_roots(doc.path.parent)
    return [read_bib(ls, path)
            for path in declared_bibliography_files(doc.path, doc.text, doc.language, roots)]


def defined_keys(ls: CitelsServer, doc: OpenDocument) -> set[str]:
    """Lower-cased keys the document can cite: its bibliographies' and its own definitions."""
    keys = {entry.key.lower() for bib in bibliographies(ls, doc) for entry in bib.entries}
    if doc.language:
        keys |= {key.lower() for key in defined_in_document(doc.text, doc.language)}
    return keys


def project_documents(ls: CitelsServer, doc: OpenDocument) -> list[OpenDocument]:
    """The project's LaTeX, Markdown, Typst and Org files, as the editor has them (`doc` among them)."""
    roots = ls.workspace_roots(doc.path.parent)
    documents = []
    for path in project_files(roots):
        opened = ls.document(uri_of(path))
        if opened is not None and opened.language is not None:
            documents.append(opened)
    if all(d.path != doc.path for d in documents):
        documents.append(doc)
    return documents


def cited_in_project(documents: list[OpenDocument]) -> set[str]:
    """The lower-cased keys these documents cite (a .bib file's own keys are not citations)."""
    return {span.key.lower() for d in documents if d.language != BIBTEX for span in d.cited}
