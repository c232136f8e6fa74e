"""Incremental indexing: find corpus files, re-read only those that changed, merge, key, store."""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TypeVar

from citels import bib_update, chunked_reading, helper_process, keys
from citels.corpus import UnreadableFile
from citels.corpus.sources import (
    ReadOptions,
    SourceKind,
    SourceRead,
    digest,
    find_sources,
    kind_of_file,
    read_source,
    signature,
    total_bytes,
)
from citels.index_progress import IndexProgress, ProgressListener
from citels.linking import Gathered, gather, second_definitions
from citels.merge import content_hash, merge_id, merge_records
from citels.papers import Paper
from citels.store import FileState, Store
from citels.store.rows import Record, StoredPaper
from citels.store.spill import RecordSpill

T = TypeVar("T")
# The page cache an index run may use (the default is 2 MB): a first index inserts into
# indexes of merge ids, keys and identifiers in no order, and once those outgrow the cache
# each insert reads and writes pages (a first index's writes of 3M papers: 118 s of CPU
# with 128 MB, 91 s with 256 MB; a run touching few pages uses few).
INDEX_CACHE_MB = 256
LONG_RUN_SECONDS = 10.0  # a run this long names its phases' times in its summary
# A first index of whole files this large (a .bib of ~15,000 entries and up) starts the
# helper its writing will want as the reading starts (helper_process.started_ahead); what
# the helper imports first.
HELPER_AHEAD_FROM_BYTES = 5_000_000
_WRITE_HELPER_IMPORTS = ("citels.store.bulk",)


@dataclass
class IndexReport:
    """What one indexing run did, for the one-line summary and for tests."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    files_read: int = 0
    files_unchanged: int = 0
    skipped: list[str] = field(default_factory=list)  # "path: why"
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # seconds by phase, in order
    # Work done in transactions of its own once the run's has committed (entries of a saved
    # .bib that only moved: bib_update.Reread.move).
    after_commit: list[Callable[[], None]] = field(default_factory=list, repr=False)

    @property
    def changed_anything(self) -> bool:
        """Whether the run added, updated or removed a paper."""
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        """The one-line summary the CLI and the server's log show."""
        if not self.changed_anything and not self.files_read:
            head = f"index unchanged: {self.unchanged} papers"
        else:
            head = (
                f"indexed: {self.added} added, {self.updated} updated, {self.removed} removed,"
                f" {self.unchanged} unchanged papers ({self.files_read} files read,"
                f" {self.files_unchanged} unchanged)"
            )
        count = len(self.skipped)
        tail = f"; {count} file{'s' if count != 1 else ''} skipped" if count else ""
        # A long run says where its time went (a dump's first index takes minutes).
        phases = ", ".join(f"{phase} {seconds:.1f}s" for phase, seconds in self.phases.items())
        took = f" ({phases})" if phases and self.seconds >= LONG_RUN_SECONDS else ""
        return f"{head}{tail} in {self.seconds:.2f}s{took}"


def find_corpus_files(paths: Iterable[Path], report: IndexReport
                      ) -> list[tuple[Path, SourceKind]]:
    """The corpus sources named or found below the named folders, in a stable order, each
    with how it is read (a Zotero data directory is its database; see corpus.sources)."""
    found: list[tuple[Path, SourceKind]] = []
    for path in paths:
        path = path.expanduser()
        if path.is_dir():
            sources, others = find_sources(path)
            found += sources
            report.skipped += [f"{child}: not a corpus format" for child in others
                               if not _is_folder_furniture(child)]
        elif path.is_file():
            kind = kind_of_file(path)
            if kind is not None:
                found.append((path.resolve(), kind))
            else:
                report.skipped.append(f"{path}: not a corpus format ({path.suffix or 'no ending'})")
        else:
            report.skipped.append(f"{path}: not found")
    return list(dict.fromkeys(found))


def _is_folder_furniture(path: Path) -> bool:
    """Files a corpus folder may hold that are not papers: hidden files, READMEs, licences."""
    stem = path.name.split(".")[0].upper()
    return path.name.startswith(".") or stem in {"README", "LICENSE", "LICENCE", "NOTICE"}


@contextmanager
def _garbage_collector_paused() -> Iterator[None]:
    """An index run makes millions of objects that live to its end (records, papers, rows)
    and no reference cycles; the collector would go through them again and again as they
    pile up, for nothing (docs/performance.md)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def _garbage_collector_running() -> Iterator[None]:
    """Reading a file makes short-lived garbage with cycles (parsers' trees, LaTeX nodes):
    left to the end of the run it piled up to gigabytes (issue 17), so it is collected
    while young. So does working papers' rows out: the frames of an exception pylatexenc
    raises and catches in a LaTeX name held the whole batch of papers being worked out,
    and a first index's memory grew with the corpus (issue 20). The records a whole-file
    reader keeps live to the run's end: the full collections that went through them again
    each time they grew by a quarter took a third of reading a large .bib, so there are
    none meanwhile."""
    paused = not gc.isenabled()
    young, older, oldest = gc.get_threshold()
    gc.set_threshold(young, older, 1 << 30)
    gc.enable()
    try:
        yield
    finally:
        gc.set_threshold(young, older, oldest)
        if paused:
            gc.disable()


def index_corpus(store: Store, paths: Iterable[Path], *, progress: bool = False,
                 options: ReadOptions | None = None,
                 listener: ProgressListener | None = None) -> IndexReport:
    """Bring the index up to date with the corpus files, in one transaction.

    `options` (filters, a field mapping) apply to the dumps read in this run; a dump read
    before with other options is read again. None: each file keeps the options it was last
    read with. `progress` draws bars on a terminal; `listener` is told what is under way
    (index_progress.IndexProgress)."""
    with _garbage_collector_paused():
        return _index_corpus(store, paths, progress, options, listener)


def _index_corpus(store: Store, paths: Iterable[Path], progress: bool,
                  options: ReadOptions | None, listener: ProgressListener | None
                  ) -> IndexReport:
    started = time.perf_counter()
    report = IndexReport()
    files = find_corpus_files(paths, report)
    known = store.file_states()
    to_read = []
    for path, kind in files:
        state = known.get(str(path))
        try:
            size, mtime_ns = signature(path)
        except (OSError, UnreadableFile) as error:
            report.skipped.append(f"{path}: unreadable ({error})")
            continue
        same_options = options is None or _options_of(state) == options.describe()
        if state and (state.size, state.mtime_ns) == (size, mtime_ns) and same_options \
                and not bib_update.context_changed(store, path):
            report.files_unchanged += 1  # trusted without reading, as make and git do
        else:
            to_read.append((path, kind))
    removed_files = set(known) - {str(path) for path, _ in files}
    # A first index is written without the WAL where it can be (see Store.rollback_journal).
    journal = store.rollback_journal() if to_read and store.is_empty() else nullcontext()
    # A saved .bib re-read by its changed entries (bib_update) does with the default cache:
    # the large one stayed in the server's memory after the run.
    reads_whole = any(not bib_update.read_by_blocks(store, path) for path, _ in to_read)
    with journal, store.transaction(cache_mb=INDEX_CACHE_MB if reads_whole or removed_files
                                    else None):
        affected: set[str] = set()
        for path_text in sorted(removed_files):
            affected |= store.remove_file(path_text)
        # A first index has no records but those read now: they are kept aside (in a
        # scratch database, not memory), merged from there and written with their papers.
        spill = RecordSpill(_spill_path(store), [str(path) for path, _ in to_read]) \
            if store.is_empty() else None
        bar = IndexProgress(sum(total_bytes(path) for path, _ in to_read), progress,
                            listener if to_read or removed_files else None)
        # A large library's first index writes with a helper process: started as the reading
        # starts, on the core the reading leaves free, it is ready when the writing begins.
        ahead = spill is not None and _large_library(to_read, bar.total_bytes)
        with spill or nullcontext(), helper_process.started_ahead(_WRITE_HELPER_IMPORTS, ahead):
            try:
                # A first index's large dumps are parsed by a helper process as they are read.
                with chunked_reading.RunParser() as parser:
                    for path, kind in to_read:
                        bar.source(path.name)
                        affected |= _reindex_file(store, path, kind, known.get(str(path)),
                                                  report, spill, options, bar, parser)
            finally:
                bar.close()
            try:
                with _garbage_collector_running():
                    if spill is not None:
                        _update_first_index(store, spill, report, bar)
                    else:
                        _update_papers(store, affected, report, bar)
            finally:
                bar.finish()
        # A first index counted its papers and vocabularies as it wrote them (put_papers).
        if spill is None:
            if report.changed_anything or store.get_meta("paper_counts") is None:
                store.count_papers()
            if report.changed_anything:
                store.refresh_vocabulary()
        total, _ = store.paper_counts()
    if store.works_pending():
        # A library's first index committed its papers, searchable by title, key and
        # abstract; its people, venues and identifiers follow (or a run interrupted then).
        if listener is not None:
            listener("writing the people and venues index", None)
        with store.transaction(cache_mb=INDEX_CACHE_MB):
            store.write_pending_works()
    for finish in report.after_commit:
        with store.transaction():
            finish()
    report.unchanged = total - report.added - report.updated
    ended = time.perf_counter()
    report.seconds = ended - started
    if to_read or removed_files:
        report.phases = bar.phases(ended)
    return report


def _reindex_file(store: Store, path: Path, kind: SourceKind, old: FileState | None,
                  report: IndexReport, spill: RecordSpill | None,
                  options: ReadOptions | None, bar: IndexProgress,
                  parser: chunked_reading.RunParser) -> set[str]:
    """Re-read one source whose size or time changed; return the merge ids it touched.

    In a first index, the records go to `spill` instead of the store, and no merge id is
    returned: every paper is written then."""
    if options is None:  # read as it was last time
        options = ReadOptions.parse(_options_of(old))
    described = options.describe()
    if old and spill is None and not described:  # a saved .bib: only its changed entries
        was = signature(path)  # before it is read: a save while reading is seen next time
        reread = bib_update.reread_changed_entries(store, path)
        if reread is not None:
            return _reread(store, path, was, reread, report)
    try:
        size, mtime_ns = signature(path)
        # A file touched but not changed is not parsed again. A dump is hashed as it
        # streams past, so its hash is worked out first only when it may be unchanged.
        known_digest = None
        if kind in (SourceKind.ZOTERO, SourceKind.S2_FOLDER) or (
                old and old.size == size and _options_of(old) == described):
            known_digest = digest(path)
    except (OSError, UnreadableFile) as error:
        report.skipped.append(f"{path}: unreadable ({error})")
        return store.remove_file(str(path)) if old else set()
    if old and known_digest and old.sha256 == _stored_digest(known_digest, described) \
            and not bib_update.context_changed(store, path):
        store.put_file(FileState(str(path), size, mtime_ns, old.sha256, old.records,
                                 old.warnings))
        report.files_unchanged += 1
        return set()
    report.files_read += 1
    affected = store.remove_file(str(path)) if old else set()
    hasher = hashlib.sha256()

    def tap(block: bytes) -> None:
        hasher.update(block)
        bar.read(block)

    # A first index reads a large JSON Lines dump with a helper process parsing its lines.
    in_runs = chunked_reading.format_read_in_runs(path, kind, options) \
        if spill is not None else None
    try:
        reading = SourceRead(iter(()), []) if in_runs is not None \
            else read_source(path, kind, path.name, options, tap)
    except UnreadableFile as error:
        report.skipped.append(str(error))
        return affected
    counted = _PapersRead(merge_ids=None if spill is not None else set(),
                          placed=[] if not described and bib_update.is_bib(path) else None)
    try:
        with _garbage_collector_running():
            if in_runs is not None and spill is not None:
                chunked_reading.read_in_runs(spill, path, in_runs, options, tap,
                                             reading.warnings, partial(counted.tick, bar),
                                             parser)
            else:
                _store_records(store, path, counted.through(reading.papers, bar), spill)
    except UnreadableFile as error:  # a dump whose format its content does not show
        report.skipped.append(str(error))
        return affected | (counted.merge_ids or set())
    except (OSError, EOFError, ValueError) as error:
        # A truncated download or a failing disk: what was read is kept, and said so.
        reading.warnings.append(f"{path}: reading stopped after {counted.count} papers"
                                f" ({error})")
    report.warnings += reading.warnings
    source_digest = known_digest or hasher.hexdigest()
    store.put_file(FileState(str(path), size, mtime_ns, _stored_digest(source_digest, described),
                             counted.count, tuple(reading.warnings)))
    if counted.placed is not None:  # for the next save of a .bib: which entry is where
        remember = partial(bib_update.remember_blocks, store, path, counted.placed,
                           reading.warnings, source_digest)
        # A first index remembers them once its papers are searchable: the blocks are for
        # the next save, and a run interrupted before leaves that save to read it whole.
        if spill is not None:
            report.after_commit.append(remember)
        else:
            remember()
    return affected | (counted.merge_ids or set())


def _reread(store: Store, path: Path, was: tuple[int, int], reread: bib_update.Reread,
            report: IndexReport) -> set[str]:
    """A .bib re-read by its changed entries (bib_update): remembered as read now."""
    size, mtime_ns = was
    report.files_read += 1
    report.warnings += reread.new_warnings
    state = FileState(str(path), size, mtime_ns, reread.digest, reread.records,
                      tuple(reread.warnings))
    if not reread.moves:
        store.put_file(state)
        return reread.affected
    # The changed entries are searchable at this run's commit; those that only moved are
    # moved after it. Till then the file is remembered as not read (no such time): a run
    # interrupted in between moves them next time.
    store.put_file(replace(state, mtime_ns=-1))

    def move() -> None:
        reread.move(store, path)
        store.put_file(state)

    report.after_commit.append(move)
    return reread.affected


@dataclass
class _PapersRead:
    """The papers of a source counted, and their merge ids (unless None), as they stream
    past."""

    count: int = 0
    merge_ids: set[str] | None = field(default_factory=set)
    # (line, merge id) of a .bib's records, else None (a dump's would fill memory).
    placed: list[tuple[int, str]] | None = None

    def tick(self, bar: IndexProgress) -> None:
        """Count one more paper read."""
        self.count += 1
        bar.paper()

    def through(self, papers: Iterator[Paper], bar: IndexProgress
                ) -> Iterator[tuple[str, Paper]]:
        """Each paper with its merge id, counted."""
        for paper in papers:
            self.tick(bar)
            mid = merge_id(paper)
            if self.merge_ids is not None:
                self.merge_ids.add(mid)
            if self.placed is not None:
                self.placed.append((paper.sources[0].line if paper.sources else 0, mid))
            yield mid, paper


def _store_records(store: Store, path: Path, records: Iterator[tuple[str, Paper]],
                   spill: RecordSpill | None) -> None:
    """Write a source's records as they come, or, in a first index, keep them aside."""
    if spill is None:
        store.add_records(str(path), records)
        return
    for mid, paper in records:
        spill.add(str(path), paper.sources[0].line if paper.sources else 0, mid, paper)


def _large_library(to_read: list[tuple[Path, SourceKind]], total: int) -> bool:
    """Whether a first index reads .bib (or other whole) files large enough that its
    writing will want a helper process (bulk.HELPER_FROM_PAPERS)."""
    return total >= HELPER_AHEAD_FROM_BYTES and \
        all(kind is SourceKind.WHOLE for _, kind in to_read)


def _spill_path(store: Store) -> Path | None:
    return None if store.db.in_memory else Path(f"{store.path}-records")


def _stored_digest(source_digest: str, options: str) -> str:
    # The options a dump was read with are kept beside its hash: other options, other papers.
    return f"{source_digest};{options}" if options else source_digest


def _options_of(state: FileState | None) -> str:
    return state.sha256.partition(";")[2] if state else ""


def _update_papers(store: Store, affected: set[str], report: IndexReport,
                   bar: IndexProgress) -> None:
    """Re-merge every paper whose records changed; new papers get keys in source order."""
    to_merge: list[_ToMerge] = []
    gathered = gather(store, affected)
    report.warnings += gathered.warnings
    for mid, group in gathered.groups.items():
        if group.records:
            to_merge.append((mid, group.records, None))
        elif store.delete_paper(mid):
            report.removed += 1
    # Papers with the user's own keys first, so a generated key never takes one of theirs;
    # then in source order: a merged paper's first source is its first record's. Papers
    # read from one line (a minified JSON file) go by merge id: `affected` is a set, and
    # its order changes with the hash seed.
    to_merge.sort(key=lambda item: (not any(record.source_key for record in item[1]),
                                    item[1][0].sources[0].path, item[1][0].sources[0].line,
                                    item[0]))
    keys_given = _KeysGiven(store)
    counted = _counted(to_merge, bar.writing(len(to_merge)))
    store.put_papers(_keyed_papers(counted, report, keys_given), count=len(to_merge))
    store.assign_keys(sorted(keys_given.generated))


def _update_first_index(store: Store, spill: RecordSpill, report: IndexReport,
                        bar: IndexProgress) -> None:
    """Merge, key and write every paper of a first index, from the records kept aside.

    Papers are merged and keyed in the spill's order (the user's entries first, then by
    where their first record is) as the store writes them: a large run's helper process
    starts on the first papers while the rest are still being merged."""
    spill.finish_reading()
    # A library alone (only the user's entries, no corpus record to take in) has each
    # paper made of its own records: nothing to gather, and its keys fit in memory.
    library = not spill.has_corpus_records()
    # Only the user's entries can take a corpus paper in: the rest are each their records.
    gathered = Gathered({}) if library else gather(store, set(spill.user_merge_ids()), spill)
    report.warnings += gathered.warnings
    for path, mid, paper in gathered.taken_records:
        store.add_records(path, [(mid, paper)])

    def groups() -> Iterator[_ToMerge]:
        in_order = spill.papers_in_order(known=gathered.groups)  # read by gather already
        for mid, records in _counted(in_order, bar.writing(spill.paper_count)):
            group = gathered.groups.get(mid)
            if group is None:
                papers = [paper for _, _, paper in records]
                if library and len(papers) > 1:  # one key defined twice
                    report.warnings += second_definitions(papers)
                yield mid, papers, records
            elif group.records:  # a user's entry, perhaps with a corpus paper taken in
                yield mid, group.records, group.to_write
            # else: a corpus paper a user's entry took in

    keys_given = _KeysGiven(None, None if library else spill)
    # A library's papers are searchable before its works index is written (people and
    # identifiers: a fifth of the run); a corpus's are written in one go, quicker in all.
    # The generated keys are written while the helper (if any) finishes the indexes aside.
    store.put_papers(
        _keyed_papers(groups(), report, keys_given), count=spill.paper_count,
        first_index=True, works_later=library,
        then=lambda: store.assign_keys(sorted(keys_given.generated) if library
                                       else spill.generated_keys()))


def _counted(items: Iterable[T], tick: Callable[[], None]) -> Iterator[T]:
    """The items, with `tick` called as each one is done with."""
    for item in items:
        yield item
        tick()


# A paper to merge: its merge id, its records, and in a first index the records to write
# with it (None: its records are in the store already).
_ToMerge = tuple[str, list[Paper], list[Record] | None]


class _KeysGiven:
    """The keys given in an index run, and the keys of the store (none in a first index,
    whose keys are kept aside in its spill: a million of them would not fit in memory)."""

    def __init__(self, store: Store | None, spill: RecordSpill | None = None) -> None:
        self.store = store
        self.spill = spill
        self._given: dict[str, str] = {}  # lower-cased key -> merge id, without a spill
        self.generated: list[tuple[str, str]] = []  # (merge id, key), without a spill
        # Keys tried per base: only bases that were taken, so it stays small.
        self.suffixes_tried: dict[str, int] = {}

    def owner(self, key: str) -> str | None:
        """The merge id of the paper that has `key` (given in this run, or stored)."""
        if self.spill is not None:
            return self.spill.owner_of_key(key)
        return self._given.get(key.lower()) or (
            self.store.merge_id_of_key(key) if self.store else None)

    def taken(self, key: str) -> bool:
        """Whether `key` may not be given (given in this run, or ever given before)."""
        if self.spill is not None:
            return self.spill.owner_of_key(key) is not None
        return key.lower() in self._given or bool(self.store and self.store.key_taken(key))

    def stored(self, mid: str) -> str | None:
        """The key the store gave this paper before."""
        return self.store.key_for(mid) if self.store else None

    def give(self, key: str, mid: str, *, generated: bool) -> None:
        """Remember that `mid`'s paper has `key`."""
        if self.spill is not None:
            self.spill.give_key(key, mid, generated=generated)
            return
        self._given[key.lower()] = mid
        if generated:
            self.generated.append((mid, key))


def _keyed_papers(to_merge: Iterable[_ToMerge], report: IndexReport, keys_given: _KeysGiven
                  ) -> Iterator[StoredPaper]:
    """The merged papers that changed, each with its key."""
    store = keys_given.store
    for mid, records, group in to_merge:
        paper = merge_records(records)
        paper.key = _user_key(mid, paper, report, keys_given) or keys_given.stored(mid)
        generated = paper.key is None
        if paper.key is None:
            paper.key = keys.unique_key(keys.base_key(paper), keys_given.taken,
                                        keys_given.suffixes_tried)
        keys_given.give(paper.key, mid, generated=generated)
        if group is not None:  # a first index: its hash is worked out with its rows
            # A paper read once is its record merged: the record is not stored twice.
            to_write = [(path, line, None) for path, line, _ in group] \
                if len(group) == 1 and len(records) == 1 else group
            report.added += 1
            yield StoredPaper(mid, paper, None, False, to_write)
            continue
        assert store is not None
        digest = content_hash(paper)
        old_digest = store.paper_hash(mid)
        if old_digest == digest:
            continue
        if old_digest is None:
            report.added += 1
        else:
            report.updated += 1
        yield StoredPaper(mid, paper, digest, old_digest is not None, None)


def _user_key(mid: str, paper: Paper, report: IndexReport, keys_given: _KeysGiven
              ) -> str | None:
    """The key the user's library gives the paper, unless another paper has it already."""
    if not paper.source_key:
        return None
    owner = keys_given.owner(paper.source_key)
    if owner is not None and owner != mid:
        report.warnings.append(
            f"{paper.sources[0]}: key {paper.source_key} is another paper's already;"
            " this one keeps a generated key")
        return None
    return paper.source_key
