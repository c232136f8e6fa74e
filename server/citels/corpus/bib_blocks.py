"""A .bib text cut into blocks, one per entry, each known by the hash of its text: what a
re-read after a save compares, so that only the entries whose text changed are parsed.

The cut is textual (an `@` that starts a line where the braces so far balance, as bibtex
counts them), so it costs a scan of the text, not a parse. A block holds an entry and the
comment text after it; an entry indented under another stays in that one's block.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

# The head of each entry in a block: its type and its key (an entry's `@type{key,`).
_HEAD = re.compile(r"(?:^|\n)[ \t]*@[ \t]*([\w:-]+)[ \t]*[{(][ \t\r\n]*([^,\s{}()=\"#%']*)",
                   re.ASCII)
_ENTRY_START = re.compile(r"[ \t]*[\w:-]+[ \t]*[{(]", re.ASCII)
# A field naming a parent: crossref, or biblatex xdata (a comma-separated list).
_PARENTS = re.compile(r"\b(?:crossref|xdata)\s*=\s*[{\"]?\s*([^}\"\n]*)", re.IGNORECASE)
# Blocks whose change may change every other entry: macros and the preamble.
CONTEXT_TYPES = frozenset({"string", "preamble"})


@dataclass(frozen=True)
class Block:
    """A piece of a .bib file: its first line (1-based), text and hash."""

    line: int
    text: str
    digest: str

    def heads(self) -> list[tuple[str, str]]:
        """(type, key) of each entry in the block, lower-cased."""
        if self.text.find("@", 1) < 0:  # one entry, at the start: most blocks
            match = _HEAD.match(self.text)
            found = [match.groups()] if match else []
        else:
            found = _HEAD.findall(self.text)
        return [(kind.lower(), key.lower()) for kind, key in found]

    def keys(self) -> list[str]:
        """The keys the block defines (entries and parents alike)."""
        return [key for kind, key in self.heads() if kind not in CONTEXT_TYPES | {"comment"}]

    def is_context(self) -> bool:
        """Whether the block holds an @string or @preamble (or may: text before any entry)."""
        heads = self.heads()
        return not heads or any(kind in CONTEXT_TYPES for kind, _ in heads)

    def parents(self) -> set[str]:
        """The keys its entries name as crossref or xdata parents, lower-cased."""
        return {key.strip().lower() for match in _PARENTS.finditer(self.text)
                for key in match.group(1).split(",") if key.strip()}


def split_blocks(text: str) -> list[Block]:
    """The text's blocks in order; text before the first entry is a block of its own.

    A block ends before an `@` that starts a line where its braces balance, or, after an
    unclosed brace (an @comment never closed), before the next line that starts an entry
    (`@type{`), where bibtex reads on too."""
    blocks: list[Block] = []
    line = 1
    pending: list[str] = []  # the pieces of the block under way
    depth = 0

    def flush() -> None:
        nonlocal line, pending, depth
        whole = "".join(pending)
        if whole:
            blocks.append(Block(line, whole, _digest(whole)))
            line += whole.count("\n")
        pending, depth = [], 0

    pieces = text.split("\n@")
    for number, piece in enumerate(pieces):
        if number and depth > 0 and _ENTRY_START.match(piece):
            flush()
        # Each piece but the first began with the "@" split off, each but the last ended
        # with the line break before it.
        piece = ("@" if number else "") + piece + ("\n" if number < len(pieces) - 1 else "")
        pending.append(piece)
        depth += piece.count("{") - piece.count("}")
        if depth <= 0:
            flush()
    flush()
    return blocks


def _digest(piece: str) -> str:
    return hashlib.sha1(piece.encode("utf-8", "surrogatepass")).hexdigest()[:20]
