"""A .bib file cut into blocks, one per entry, each known by the hash of its bytes: what a
re-read after a save compares, so that only the entries whose text changed are parsed.

The cut is textual, on the file's bytes (an `@` that starts a line where the braces of the
block balance), so it costs a scan, not a parse, and no decoded copy of the whole file (a
10 MB file with one character beyond Latin-1 decodes to 40 MB). A block holds an entry and
the comment text after it; an entry indented under another stays in that one's block.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field

# The head of each entry in a block: its type and its key (an entry's `@type{key,`), at the
# block's start or at a line's.
_HEAD_AT = rb"[ \t]*@[ \t]*([\w:-]+)[ \t]*[{(][ \t\r\n]*([^,\s{}()=\"#%']*)"
_HEAD = re.compile(_HEAD_AT)
_HEADS = re.compile(rb"(?:^|\n)" + _HEAD_AT)
# After an unclosed brace, a line that starts an entry ends the block all the same.
_ENTRY_START = re.compile(rb"@[ \t]*[\w:-]+[ \t]*[{(]")
# A field naming a parent: crossref, or biblatex xdata (a comma-separated list).
_PARENTS = re.compile(rb"\b(?:crossref|xdata)\s*=\s*[{\"]?\s*([^}\"\n]*)", re.IGNORECASE)
# Blocks whose change may change every other entry: macros and the preamble.
CONTEXT_TYPES = frozenset({"string", "preamble"})


@dataclass(slots=True)  # not frozen: a frozen one is made a third slower, 100,000 times
class Block:
    """A piece of a .bib file: its first line (1-based), where it lies in the file's bytes
    (shared by all its blocks: a block is not a copy), and its hash."""

    line: int
    source: bytes = field(repr=False)  # the whole file's
    start: int
    end: int
    digest: str

    @property
    def data(self) -> bytes:
        """The block's bytes."""
        return self.source[self.start:self.end]

    @property
    def text(self) -> str:
        """The block as text (raises UnicodeDecodeError for bytes that are not UTF-8)."""
        return self.data.decode("utf-8")

    def heads(self) -> list[tuple[str, str]]:
        """(type, key) of each entry in the block, lower-cased."""
        if self.source.find(b"@", self.start + 1, self.end) < 0:  # one entry at the start
            match = _HEAD.match(self.source, self.start, self.end)
            found = [match.groups()] if match else []
        else:
            found = _HEADS.findall(self.data)
        return [(kind.decode("ascii").lower(), key.decode("utf-8", "replace").lower())
                for kind, key in found]

    def keys(self) -> list[str]:
        """The keys the block defines (entries and parents alike)."""
        return [key for kind, key in self.heads() if kind not in CONTEXT_TYPES | {"comment"}]

    def is_context(self) -> bool:
        """Whether the block holds an @string or @preamble (or may: text before any entry)."""
        heads = self.heads()
        return not heads or any(kind in CONTEXT_TYPES for kind, _ in heads)

    def parents(self) -> set[str]:
        """The keys its entries name as crossref or xdata parents, lower-cased."""
        return {key.strip().decode("utf-8", "replace").lower()
                for match in _PARENTS.finditer(self.source, self.start, self.end)
                for key in match.group(1).split(b",") if key.strip()}


def split_blocks(data: bytes) -> list[Block]:
    """A .bib file's blocks in order; what comes before the first entry is a block too.

    A block ends before an `@` that starts a line where its braces balance, or, after an
    unclosed brace (an @comment never closed), before the next line that starts an entry
    (`@type{`), where bibtex reads on too."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    view = memoryview(data)
    blocks: list[Block] = []
    line = 1

    def add(start: int, end: int) -> None:
        nonlocal line
        if end > start:
            blocks.append(Block(line, data, start, end,
                                hashlib.sha1(view[start:end]).hexdigest()[:20]))
            line += data.count(b"\n", start, end)

    start = piece = depth = 0  # the block under way, and the piece of it being read
    while True:
        cut = data.find(b"\n@", piece)
        end = len(data) if cut < 0 else cut + 1  # the line break stays with its block
        depth += data.count(b"{", piece, end) - data.count(b"}", piece, end)
        if depth <= 0 or cut < 0:
            add(start, end)
            start, depth = end, 0
        if cut < 0:
            return blocks
        piece = end
        if depth > 0 and _ENTRY_START.match(data, piece):
            add(start, piece)
            start, depth = piece, 0
