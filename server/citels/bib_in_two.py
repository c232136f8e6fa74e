"""A large .bib read into a first index's spill by two processes.

Reading a .bib is cutting its text into entries (`corpus/bib_scan.py`), resolving each
entry's macros, crossref and xdata, and then making each entry a paper: its LaTeX turned
into text, its names split, its merge id and its bytes for the spill. The cutting and the
resolving need the whole file (a macro or a crossref parent may come after the entry that
uses it); making the papers is each entry on its own, and it is two thirds of reading a
library's .bib, which had one core busy while the other waited (a server's cold start on a
10 MB .bib: docs/performance.md, session 10). So this process cuts and resolves, sends runs
of entries to the parser's helper process to make into papers, and keeps their records
aside in order; when the helper has enough to do, it makes a run itself. The records, their
lines and the warnings are those one reader of the whole file gives.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path

from citels.chunked_reading import ParsedRecord, RunParser
from citels.corpus import BIB_ENDINGS
from citels.corpus.bibtex_file import ResolvedEntry, paper_of, resolved_entries
from citels.corpus.sources import ReadOptions, SourceKind
from citels.merge import merge_id
from citels.store.paper_codec import encode
from citels.store.spill import RecordSpill

log = logging.getLogger(__name__)
# Below this size a .bib is read here alone: a helper process takes ~0.2 s to start.
FROM_BYTES = 2_000_000
RUN_ENTRIES = 250  # entries sent to be made into papers at a time
RUNS_AHEAD = 4  # runs the helper has to make before this process makes one itself
# Runs made and not yet kept (in file order, so behind the helper's oldest) before this
# process waits for the helper: while the helper starts (0.2-0.5 s) this one goes on making
# papers instead of waiting. Their records are small (~75 KB a run).
RUNS_HELD = 64


@dataclass(frozen=True)
class EntryRun:
    """A run of a .bib's entries, resolved, and the file's name their sources carry."""

    label: str
    entries: list[ResolvedEntry]


def read_in_two(path: Path, kind: SourceKind, options: ReadOptions) -> bool:
    """Whether a first index reads this source as a large .bib in two processes (not with
    filters: those are applied to papers by the one reader)."""
    if kind is not SourceKind.WHOLE or path.suffix.lower() not in BIB_ENDINGS \
            or not options.filter.is_empty:
        return False
    try:
        return path.stat().st_size >= FROM_BYTES
    except OSError:
        return False  # read by the one reader, which says what is wrong


def read_bib_in_two(spill: RecordSpill, path: Path, tap: Callable[[bytes], None],
                    warnings: list[str], kept: Callable[[int, str], None],
                    parser: RunParser) -> None:
    """Read a .bib into the spill (its records labelled with its file name), with the
    parser's helper process when one can be had; `tap` sees its bytes, `kept(line, merge
    id)` is called for each record kept, in file order, and the warnings go to `warnings`.
    UnreadableFile when its bytes are not text, as the one reader."""
    from concurrent.futures.process import BrokenProcessPool

    from citels.corpus import decode_corpus_file
    from citels.corpus.bib_scan import CHUNK_CHARACTERS, pieces
    from citels.corpus.library import library_of

    helper = parser.pool()
    # Started now: the helper's start overlaps the cutting, not the runs sent to it.
    _submitted(helper, EntryRun(path.name, []))
    data = path.read_bytes()
    tap(data)
    text = decode_corpus_file(path, data)
    del data
    entries = resolved_entries(pieces(text, 1, CHUNK_CHARACTERS), path.name, warnings,
                               library_of(path))
    waiting: deque[tuple[EntryRun, Future[list[ParsedRecord]] | list[ParsedRecord]]] = deque()

    def keep_oldest() -> None:
        run, made = waiting.popleft()
        if isinstance(made, Future):
            try:
                made = made.result()
            except BrokenProcessPool as error:
                log.warning("reading %s without a helper process: %s", path, error)
                made = make_papers(run)
        for mid, line, user, encoded in made:
            spill.add_encoded(str(path), line, mid, user, encoded)
            kept(line, mid)

    try:
        for run in _runs(entries, path.name):
            helper_busy = sum(isinstance(made, Future) and not made.done()
                              for _, made in waiting) >= RUNS_AHEAD
            waiting.append((run, make_papers(run) if helper_busy else _submitted(helper, run)))
            while waiting and (_done(waiting[0][1]) or len(waiting) > RUNS_HELD):
                keep_oldest()
    finally:
        # What was made before an error is kept, as one reader of the file would have.
        while waiting:
            keep_oldest()


def make_papers(run: EntryRun) -> list[ParsedRecord]:
    """The spill's records of a run of entries (in the helper process, or here)."""
    papers = (paper_of(entry, run.label) for entry in run.entries)
    return [(merge_id(paper), paper.sources[0].line if paper.sources else 0,
             paper.source_key is not None, encode(paper)) for paper in papers]


def _runs(entries: Iterable[ResolvedEntry], label: str) -> Iterator[EntryRun]:
    run: list[ResolvedEntry] = []
    for entry in entries:
        run.append(entry)
        if len(run) == RUN_ENTRIES:
            yield EntryRun(label, run)
            run = []
    if run:
        yield EntryRun(label, run)


def _submitted(helper: Executor, run: EntryRun
               ) -> Future[list[ParsedRecord]] | list[ParsedRecord]:
    from concurrent.futures.process import BrokenProcessPool

    try:
        return helper.submit(make_papers, run)
    except (BrokenProcessPool, OSError) as error:
        # The helper died, or none could be started: this run and the rest are made here,
        # only slower; never a reading error.
        log.debug("making a run's papers here: %s", error)
        return make_papers(run)


def _done(made: Future[list[ParsedRecord]] | list[ParsedRecord]) -> bool:
    return not isinstance(made, Future) or made.done()
