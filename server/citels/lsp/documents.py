"""Documents as the handlers see them: LSP lines, syntax, and what is worked out once per
version (cited keys, code regions), so a keystroke in a long document does not rescan it."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pygls.uris import to_fs_path
from pygls.workspace import Workspace, text_document

from citels.cite_syntax import KeySpan, cited_keys, key_at, language_of, non_text_lines
from citels.cite_syntax.lines import lines_with_endings, split_lines


def _lsp_lines(self: text_document.TextDocument) -> tuple[str, ...]:
    return lines_with_endings(self.source)


# pygls splits with str.splitlines, which knows more line endings than LSP: a form feed or a
# U+2028 would put incremental edits on the wrong lines, so its documents split the LSP way.
text_document.TextDocument.lines = property(_lsp_lines)  # type: ignore[assignment]


# Beyond this size a document is not rescanned whole on every keystroke: citation context
# comes from the lines around the cursor, and the document's other citations are not used
# to order the list.
LARGE_DOCUMENT = 2_000_000  # characters
LOCAL_WINDOW = 2_000  # lines before the cursor that can open a verbatim block or a fence


class OpenDocument:
    """One version of a document; its analyses are computed on first use and kept."""

    def __init__(self, uri: str, path: Path, language: str | None, text: str,
                 version: int | None, extra_commands: tuple[str, ...]) -> None:
        self.uri = uri
        self.path = path
        self.language = language
        self.text = text
        self.version = version
        self.extra_commands = extra_commands
        self.lines = split_lines(text)

    @property
    def is_large(self) -> bool:
        """Too large to rescan whole on every keystroke."""
        return len(self.text) > LARGE_DOCUMENT

    @cached_property
    def non_text(self) -> frozenset[int]:
        """The document's code and verbatim lines, where nothing is a citation."""
        return non_text_lines(self.lines, self.language) if self.language else frozenset()

    def non_text_near(self, line: int) -> frozenset[int]:
        """The code and verbatim lines that matter for a cursor on `line`."""
        if not self.is_large or not self.language:
            return self.non_text
        start = max(0, line - LOCAL_WINDOW)
        window = non_text_lines(self.lines[start:line + 1], self.language)
        return frozenset(number + start for number in window)

    def key_at(self, line: int, column: int) -> KeySpan | None:
        """The cited (or, in a .bib, defined) key under the cursor."""
        return key_at(self.lines, line, column, self.language, cited=self.cited_near(line))

    @cached_property
    def cited(self) -> list[KeySpan]:
        """Every key the document cites (or, for a .bib, defines), in order."""
        if not self.language:
            return []
        return cited_keys(self.lines, self.language, self.extra_commands)

    def cited_near(self, line: int) -> list[KeySpan]:
        """The document's citations, or for a large one those on the lines around `line`."""
        if not self.is_large or not self.language:
            return self.cited
        start = max(0, line - LOCAL_WINDOW)
        nearby = cited_keys(self.lines[start:line + LOCAL_WINDOW], self.language,
                            self.extra_commands)
        return [KeySpan(k.key, k.line + start, k.start, k.end) for k in nearby]


class DocumentCache:
    """The last analysed version of each open document, by URI."""

    def __init__(self) -> None:
        self._documents: dict[str, OpenDocument] = {}

    def get(self, workspace: Workspace, uri: str,
            extra_commands: tuple[str, ...]) -> OpenDocument | None:
        """An open document (or one on disk), its analyses kept while its version and the
        citation commands stay the same; None for URIs that are not files.

        Raises OSError or UnicodeDecodeError for a file that cannot be read.
        """
        path = to_fs_path(uri)
        if path is None:
            return None
        doc = workspace.get_text_document(uri)
        text = doc.source
        cached = self._documents.get(uri)
        if (cached is not None and doc.version is not None and cached.version == doc.version
                and cached.extra_commands == extra_commands and cached.text is text):
            return cached
        opened = OpenDocument(uri, Path(path), language_of(doc.language_id, path), text,
                              doc.version, extra_commands)
        self._documents[uri] = opened
        return opened

    def peek(self, uri: str) -> OpenDocument | None:
        """The version last analysed, whatever the document holds now (None if none was)."""
        return self._documents.get(uri)

    def forget(self, uri: str) -> None:
        """A closed document's analyses are not kept."""
        self._documents.pop(uri, None)
