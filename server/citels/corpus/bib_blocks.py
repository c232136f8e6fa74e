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
from dataclasses import dataclass

# The head of each entry in a block: its type and its key (an entry's `@type{key,`).
_HEAD = re.compile(rb"(?:^|\n)[ \t]*@[ \t]*([\w:-]+)[ \t]*[{(][ \t\r\n]*([^,\s{}()=\"#%']*)")
# After an unclosed brace, a line that starts an entry ends the block all the same.
_ENTRY_START = re.compile(rb"[ \t]*[\w:-]+[ \t]*[{(]")
# A field naming a parent: crossref, or biblatex xdata (a comma-separated list).
_PARENTS = re.compile(rb"\b(?:crossref|xdata)\s*=\s*[{\"]?\s*([^}\"\n]*)", re.IGNORECASE)
# Blocks whose change may change every other entry: macros and the preamble.
CONTEXT_TYPES = frozenset({"string", "preamble"})


@dataclass(frozen=True)
class Block:
    """A piece of a .bib file: its first line (1-based), bytes and hash."""

    line: int
    data: bytes
    digest: str

    @property
    def text(self) -> str:
        """The block as text (raises UnicodeDecodeError for bytes that are not UTF-8)."""
        return self.data.decode("utf-8")

    def heads(self) -> list[tuple[str, str]]:
        """(type, key) of each entry in the block, lower-cased."""
        if self.data.find(b"@", 1) < 0:  # one entry, at the start: most blocks
            match = _HEAD.match(self.data)
            found = [match.groups()] if match else []
        else:
            found = _HEAD.findall(self.data)
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
                for match in _PARENTS.finditer(self.data)
                for key in match.group(1).split(b",") if key.strip()}


def split_blocks(data: bytes) -> list[Block]:
    """A .bib file's blocks in order; what comes before the first entry is a block too.

    A block ends before an `@` that starts a line where its braces balance, or, after an
    unclosed brace (an @comment never closed), before the next line that starts an entry
    (`@type{`), where bibtex reads on too."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    blocks: list[Block] = []
    line = 1
    pending: list[bytes] = []  # the pieces of the block under way
    depth = 0

    def flush() -> None:
        nonlocal line, pending, depth
        whole = b"".join(pending)
        if whole:
            blocks.append(Block(line, whole, hashlib.sha1(whole).hexdigest()[:20]))
            line += whole.count(b"\n")
        pending, depth = [], 0

    pieces = data.split(b"\n@")
    last = len(pieces) - 1
    for number, piece in enumerate(pieces):
        if number and depth > 0 and _ENTRY_START.match(piece):
            flush()
        # Each piece but the first began with the "@" split off, each but the last ended
        # with the line break before it.
        if number:
            pending.append(b"@")
        pending.append(piece)
        if number < last:
            pending.append(b"\n")
        depth += piece.count(b"{") - piece.count(b"}")
        if depth <= 0:
            flush()
    flush()
    return blocks
