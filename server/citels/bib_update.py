"""A saved .bib re-read entry by entry: only the entries whose text changed are parsed, and
only their papers merged and written again.

The file is cut into blocks, one per entry (`corpus/bib_blocks.py`), each known by the hash
of its text; the index remembers the blocks of the last read (`store/bib_entries.py`). A
block whose text is unchanged keeps its records (moved to its new line if lines were added
above it). A changed block is parsed alone, with the file's macros and its other entries
as crossref and xdata parents; the entries that name a changed entry as parent are parsed
again with it. What may change every entry is read whole, as before: an @string or
@preamble changed, a key now defined twice, the library's macros changed, a file never
read by blocks, or most of the file changed.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from citels.corpus.bib_blocks import Block, split_blocks
from citels.corpus.bibtex_file import parse_bibtex
from citels.corpus.library import (
    BIB_SUFFIXES,
    Library,
    context_digest,
    library_of,
    macros_in,
    raw_entries,
)
from citels.merge import merge_id
from citels.store import Store
from citels.store.bib_entries import StoredBlock

# More changed blocks than this: the file is read whole (one parse beats many small ones).
MOST_BLOCKS_PARSED_ALONE = 500
_WARNING_LINE = re.compile(r"^(.*?):(\d+): (.*)$", re.DOTALL)


def is_bib(path: Path) -> bool:
    """Whether the file is a .bib read by blocks."""
    return path.suffix.lower() in BIB_SUFFIXES


def read_by_blocks(store: Store, path: Path) -> bool:
    """Whether a change to this file would be re-read by its changed entries (a .bib whose
    blocks the index remembers, read with the library it has now)."""
    return is_bib(path) and store.bib_blocks_kept(str(path)) \
        and not context_changed(store, path)


def context_changed(store: Store, path: Path) -> bool:
    """Whether a .bib's library (the macros of the other .bib files of its folder, and the
    files themselves when it names parents it does not hold) changed since it was read."""
    if not is_bib(path):
        return False
    remembered = store.bib_context(str(path))
    if remembered is None:
        return False  # read before blocks were remembered: only its own change counts
    digest, foreign = remembered
    return digest != context_digest(library_of(path), foreign)


@dataclass
class Reread:
    """What re-reading a changed .bib by blocks did."""

    affected: set[str]  # merge ids whose records changed
    records: int  # the file's records now
    warnings: list[str]  # the file's warnings now
    new_warnings: list[str]  # those of the entries parsed now
    digest: str  # sha256 of the file's bytes
    # Entries that only moved (lines added or removed above them): (merge id, source as
    # stored, source now, line now), and their blocks at their new lines.
    moves: list[tuple[str, str, str, int]]
    moved_blocks: list[StoredBlock]

    def move(self, store: Store, path: Path) -> None:
        """Move the entries that only moved: their records' lines, their papers' sources,
        their blocks' lines. Half a large file moves when an entry is added in its middle:
        this is done after the changed entries are searchable, in a transaction of its own.
        """
        store.move_records(str(path), self.moves)
        store.put_bib_blocks(str(path), self.moved_blocks)


def reread_changed_entries(store: Store, path: Path) -> Reread | None:
    """Re-read only the changed entries of a .bib the index holds; None: read it whole."""
    file = str(path)
    if not is_bib(path) or context_changed(store, path):
        return None
    stored = store.bib_blocks(file)
    if not stored:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None  # the whole read says what is wrong with it
    digest = hashlib.sha256(data).hexdigest()
    blocks = split_blocks(data)
    naming = _naming_parents(blocks)
    del data  # a 10 MB file's bytes: its blocks hold them now
    plan = _plan(blocks, stored, naming)
    if plan is None:
        return None
    try:
        return _apply(store, path, blocks, plan, naming, digest)
    except UnicodeDecodeError:
        return None  # a changed entry that is not UTF-8: the whole read says so


def _apply(store: Store, path: Path, blocks: list[Block], plan: _Plan, naming: set[int],
           digest: str) -> Reread:
    """Parse the plan's blocks, write their records; move the others' records."""
    file = str(path)
    label = path.name
    library = library_of(path)
    own = _OwnEntries(blocks, [block.keys() for block in blocks], naming) if naming else None
    own_macros = macros_in("".join(block.text for block in blocks if block.is_context()),
                           library.macros)
    macros = {**library.macros, **own_macros}
    context = Library(macros, library.siblings, own.entry if own else None)
    gone = {mid for block in plan.gone for mid in block.merge_ids}
    store.remove_records_of(file, gone)
    store.drop_bib_blocks(block.rowid for block in plan.gone if block.rowid is not None)
    affected = set(gone)
    new_warnings: list[str] = []
    now: dict[int, StoredBlock] = {}
    for index in plan.to_parse:
        block = blocks[index]
        warnings: list[str] = []
        papers = list(parse_bibtex(block.text, label, warnings, context, block.line))
        mids = [merge_id(paper) for paper in papers]
        store.add_block_records(file, zip(mids, papers, strict=True))
        affected |= set(mids)
        new_warnings += warnings
        now[index] = StoredBlock(block.line, block.digest, tuple(block.keys()), tuple(mids),
                                 _relative(warnings, block.line))
    store.put_bib_blocks(file, now.values())
    moved = {index: was for index, was in plan.kept.items() if was.line != blocks[index].line}
    moves = [(mid, f"{label}:{was.line}", f"{label}:{blocks[index].line}", blocks[index].line)
             for index, was in moved.items() for mid in was.merge_ids]
    moved_blocks = [StoredBlock(blocks[index].line, was.digest, was.keys, was.merge_ids,
                                was.warnings, was.rowid) for index, was in moved.items()]
    foreign = bool(own and own.parents_named - own.keys)
    store.put_bib_context(file, context_digest(library, foreign), foreign)
    every = sorted([*now.values(), *(StoredBlock(blocks[index].line, *_rest(was))
                                     for index, was in plan.kept.items())],
                   key=lambda block: block.line)
    warnings = [f"{label}:{block.line + at}: {message}"
                for block in every for at, message in block.warnings]
    return Reread(affected, sum(len(block.merge_ids) for block in every), warnings,
                  new_warnings, digest, moves, moved_blocks)


def _rest(block: StoredBlock) -> tuple:
    return block.digest, block.keys, block.merge_ids, block.warnings, block.rowid


@dataclass
class _Plan:
    """Which blocks are kept as read before (by index), parsed now, and gone."""

    kept: dict[int, StoredBlock]
    to_parse: list[int]
    gone: list[StoredBlock]  # blocks read before whose records go (changed or removed)


def _plan(blocks: list[Block], stored: list[StoredBlock], naming: set[int]) -> _Plan | None:
    """Match the blocks to those read before by the hash of their text; None when the
    change may reach every entry (an @string, @preamble, or a key defined twice)."""
    by_digest: dict[str, list[StoredBlock]] = defaultdict(list)
    for block in stored:
        by_digest[block.digest].append(block)
    kept: dict[int, StoredBlock] = {}
    changed: list[int] = []
    for index, block in enumerate(blocks):
        same = by_digest.get(block.digest)
        if same:
            kept[index] = same.pop(0)
        else:
            changed.append(index)
    gone = [block for left in by_digest.values() for block in left]
    # A removed block that defined no key may have held an @string (a removed comment is
    # read whole too, which is rare enough).
    if any(blocks[index].is_context() for index in changed) or any(
            not block.keys for block in gone):
        return None
    keys_changed = {key for block in gone for key in block.keys}
    keys_changed |= {key for index in changed for key in blocks[index].keys()}
    # Entries that name a changed entry as parent, or define a key a changed one defines
    # (the first definition wins), are parsed again with it.
    to_parse = set(changed)
    for index, was in kept.items():
        if keys_changed & set(was.keys) or (
                index in naming and keys_changed & blocks[index].parents()):
            to_parse.add(index)
    if len(to_parse) > MOST_BLOCKS_PARSED_ALONE:
        return None
    defined = [key for index in to_parse for key in blocks[index].keys()]
    others = {key for index, was in kept.items() if index not in to_parse for key in was.keys}
    if len(defined) != len(set(defined)) or set(defined) & others:
        return None  # a key defined twice: which one wins depends on the whole file
    gone += [kept.pop(index) for index in to_parse if index in kept]
    return _Plan(kept, sorted(to_parse), gone)


class _OwnEntries:
    """The file's entries outside those parsed now, as crossref and xdata parents."""

    def __init__(self, blocks: list[Block], keys: list[list[str]], naming: set[int]) -> None:
        self.blocks = blocks
        self.at: dict[str, int] = {}
        for index, block_keys in enumerate(keys):
            for key in block_keys:
                self.at.setdefault(key, index)
        self.keys = set(self.at)
        # The keys named as crossref or xdata parents.
        self.parents_named = {key for index in naming for key in blocks[index].parents()}
        self._parsed: dict[int, dict[str, tuple[str, dict[str, str]]]] = {}

    def entry(self, key: str) -> tuple[str, dict[str, str]] | None:
        """The entry with this key in the file (type, raw fields), or None."""
        index = self.at.get(key.lower())
        if index is None:
            return None
        if index not in self._parsed:
            self._parsed[index] = raw_entries(self.blocks[index].text)
        return self._parsed[index].get(key.lower())


def _relative(warnings: list[str], line: int) -> tuple[tuple[int, str], ...]:
    """Warnings with their line counted from the block's first."""
    found = []
    for warning in warnings:
        match = _WARNING_LINE.match(warning)
        if match:
            found.append((int(match.group(2)) - line, match.group(3)))
    return tuple(found)


def remember_blocks(store: Store, path: Path, placed: list[tuple[int, str]],
                    warnings: list[str], sha256: str) -> None:
    """After a whole read of a .bib: its blocks, each with the records read from it (by
    their lines, `placed`: (line, merge id)) and its warnings, for the next save."""
    file = str(path)
    if not is_bib(path):
        return
    try:
        data = path.read_bytes()
    except OSError:
        data = b""
    if hashlib.sha256(data).hexdigest() != sha256:
        store.forget_bib_blocks(file)  # changed again since it was read: read whole next
        return
    blocks = split_blocks(data)
    starts = [block.line for block in blocks]
    mids: dict[int, list[str]] = defaultdict(list)
    notes: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for line, mid in placed:
        mids[_block_at(starts, line)].append(mid)
    for warning in warnings:
        match = _WARNING_LINE.match(warning)
        if match and match.group(1) == path.name:
            index = _block_at(starts, int(match.group(2)))
            notes[index].append((int(match.group(2)) - starts[index], match.group(3)))
    keys = [block.keys() for block in blocks]
    store.forget_bib_blocks(file)
    store.put_bib_blocks(file, [
        StoredBlock(block.line, block.digest, tuple(keys[index]), tuple(mids[index]),
                    tuple(notes[index])) for index, block in enumerate(blocks)])
    library = library_of(path)
    naming = _naming_parents(blocks)
    own = _OwnEntries(blocks, keys, naming) if naming else None
    foreign = bool(own and own.parents_named - own.keys)
    store.put_bib_context(file, context_digest(library, foreign), foreign)


def _naming_parents(blocks: list[Block]) -> set[int]:
    """The blocks that may name a crossref or xdata parent. (Regular expressions searching
    each block, or the file for either word, took a quarter of a second for 100,000
    entries; `find` on the file lowered takes a hundredth.)"""
    if not blocks:
        return set()
    source = blocks[0].source
    starts = [block.start for block in blocks]
    found = set()
    # Lowered a piece at a time: a lowered copy of the whole file was 10 MB more at the
    # peak of a save's re-read (pieces overlap by a word's length, so none is cut in two).
    for begin in range(0, len(source), _PIECE):
        lowered = source[begin:begin + _PIECE + len(b"crossref") - 1].lower()
        for word in (b"crossref", b"xdata"):
            at = lowered.find(word)
            while at >= 0:
                found.add(_block_at(starts, begin + at))
                at = lowered.find(word, at + 1)
    return found


_PIECE = 1 << 20  # bytes lowered at a time by _naming_parents


def _block_at(starts: list[int], line: int) -> int:
    return max(0, bisect_right(starts, line) - 1)
