"""Where an accepted completion's key goes on the line, so that every client applies it right.

Clients differ in the word they complete: most take the server's range (the whole key slot,
from the `{`, `,`, `@` or `;` to the cursor); Vim's yegappan/lsp starts at Vim's keyword
boundary (`\\k*$`) and slices the text to fit, and Emacs's eglot completes the symbol before
point and filters by it. Pure: columns in Python characters, on one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Vim's default 'iskeyword' (letters, digits, '_', Latin-1 letters): yegappan's start column.
_VIM_WORD = re.compile(r"[A-Za-z0-9_\u00c0-\u00ff]*$")
# What Emacs's `bounds-of-thing-at-point 'symbol` takes before point in text modes.
_EMACS_SYMBOL = re.compile(r"[\w\-]*$")
# The rest of a key after the cursor, which an insert-or-replace edit may replace.
_KEY_REST = re.compile(r"[^\s,;{}\[\]()<>\"]*")  # Typst's <key> and label("key") end it too

VIM = "vim"  # yegappan/lsp: clientInfo.name "Vim"
EMACS_EGLOT = "eglot"
OTHER = "other"


@dataclass(frozen=True)
class Insertion:
    """The columns of an accepted item's edits and the start of its filter text."""

    start: int  # the main edit replaces start..end with the key
    end: int  # the cursor
    replace_end: int  # end of the key token, for clients that can insert or replace
    delete_before: tuple[int, int] | None  # an extra edit deleting these columns, if any
    filter_prefix: str  # every item's filter text starts with this
    # eglot shows and flex-matches the item's insertText (its "proxy") against the word
    # before point, and tries its prefix match by filterText only when flex matched nothing
    # at all: so every proxy must start with that word, or a few keys that happen to match
    # hide the rest. eglot then applies the textEdit, so the proxy is never inserted.
    proxy_prefix: str | None = None


def client_kind(client_name: str) -> str:
    """Which completion behaviour a client has, by the name in its clientInfo."""
    if client_name == "Vim":
        return VIM
    if client_name.lower().startswith("eglot"):
        return EMACS_EGLOT
    return OTHER


def insertion(line_text: str, start: int, cursor: int, kind: str) -> Insertion:
    """The edits for a key slot starting at `start` with the cursor at `cursor`."""
    typed = line_text[start:cursor]
    rest = _KEY_REST.match(line_text, cursor)
    replace_end = rest.end() if rest else cursor
    if kind == VIM:
        word = _VIM_WORD.search(typed)
        word_start = start + (word.start() if word else len(typed))
        # Vim replaces from its keyword boundary: the main edit starts there, and the text
        # typed before the word (`mirror ` in `mirror desc`) goes in an extra edit.
        delete = (start, word_start) if word_start > start else None
        return Insertion(word_start, cursor, replace_end, delete, line_text[word_start:cursor])
    if kind == EMACS_EGLOT:
        symbol = _EMACS_SYMBOL.search(typed)
        word = typed[symbol.start():] if symbol else ""
        return Insertion(start, cursor, replace_end, None, word, proxy_prefix=word)
    return Insertion(start, cursor, replace_end, None, typed)
