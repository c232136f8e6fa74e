"""A large JSON Lines dump read into a first index's spill by two processes.

Parsing a dump (the JSON, the paper, its merge id, its bytes for the spill) is most of
reading it, and reading is a seventh of a first index of arXiv that has one core busy
while the other waits for the papers to be merged (docs/performance.md). So this process
reads the file's lines (its bytes hashed and counted for the progress bar as they pass),
sends runs of them to a helper process to parse, and keeps their records aside in order;
when the helper has enough to do, it parses a run itself. Each line of these formats is
a record of its own, so the records, their lines and the warnings are those one reader of
the whole file gives (the warnings listed are capped for the file as a whole).
"""

from __future__ import annotations

import logging
import lzma
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path

from citels.corpus.json_records import Warnings
from citels.corpus.sources import ReadOptions, SourceKind, line_reader
from citels.corpus.streams import DumpFormat, open_text, sniff_file
from citels.helper_process import helper_pool
from citels.merge import merge_id
from citels.store.paper_codec import encode
from citels.store.spill import RecordSpill

log = logging.getLogger(__name__)
# Below this size a dump is read here alone: a helper process takes ~0.3 s to start.
FROM_BYTES = 32 << 20
RUN_LINES = 2_000  # lines sent to be parsed at a time
RUNS_AHEAD = 4  # runs the helper has to parse before this process parses one itself

# A record as the spill keeps it: (merge id, line, whether it is a user's entry, bytes).
ParsedRecord = tuple[str, int, bool, bytes]


@dataclass(frozen=True)
class LineRun:
    """A run of a dump's lines, and what parsing them needs."""

    format: DumpFormat
    options: ReadOptions
    label: str
    first_line: int
    lines: list[str]


@dataclass(frozen=True)
class ParsedRun:
    """The records a run of lines makes (those the options choose), and every warning."""

    records: list[ParsedRecord]
    warnings: list[str]


def format_read_in_runs(path: Path, kind: SourceKind, options: ReadOptions
                        ) -> DumpFormat | None:
    """The format of a dump that is read in runs of lines, or None (too small, not read a
    line at a time, or a file whose first line opens a JSON array)."""
    if kind is not SourceKind.DUMP:
        return None
    try:
        if path.stat().st_size < FROM_BYTES:
            return None
        format = sniff_file(path)
        if line_reader(format, options) is None or _opens_array(path):
            return None
    except (OSError, EOFError, ValueError, lzma.LZMAError):
        return None  # read whole, by the reader that says what is wrong with it
    return format


class RunParser:
    """The helper process that parses runs of lines: started for the first large dump of an
    index run and kept for the others (an OpenAlex snapshot is hundreds of part files)."""

    def __init__(self) -> None:
        self._pool: Executor | None = None

    def pool(self) -> Executor:
        """The helper process, started now if it is not yet."""
        if self._pool is None:
            self._pool = helper_pool()
        return self._pool

    def close(self) -> None:
        """Stop the helper process, if one was started."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> RunParser:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def read_in_runs(spill: RecordSpill, path: Path, format: DumpFormat, options: ReadOptions,
                 tap: Callable[[bytes], None], warnings: list[str],
                 tick: Callable[[], None], parser: RunParser) -> None:
    """Read a dump into the spill (its records labelled with its file name), with the
    parser's helper process when one can be had; `tap` sees its bytes, `tick` is called
    for each record kept and the warnings go to `warnings`. An error reading the file is
    raised once every record read before it is kept."""
    from concurrent.futures.process import BrokenProcessPool

    sink = Warnings(path.name, warnings)
    waiting: deque[tuple[LineRun, Future[ParsedRun] | ParsedRun]] = deque()

    def keep_oldest() -> None:
        run, parsed = waiting.popleft()
        if isinstance(parsed, Future):
            try:
                parsed = parsed.result()
            except BrokenProcessPool as error:
                log.warning("reading %s without a helper process: %s", path, error)
                parsed = parse_run(run)
        _keep(spill, str(path), parsed, sink, tick)

    helper = parser.pool()  # its process starts at the first run sent (see _submitted)
    try:
        for run in _runs(path, format, options, tap):
            helper_busy = sum(isinstance(parsed, Future) and not parsed.done()
                              for _, parsed in waiting) >= RUNS_AHEAD
            if helper_busy:
                waiting.append((run, parse_run(run)))
            else:
                waiting.append((run, _submitted(helper, run)))
            while waiting and (_done(waiting[0][1]) or len(waiting) > 2 * RUNS_AHEAD):
                keep_oldest()
    finally:
        # What was read before an error is kept, as one reader of the file would have.
        try:
            while waiting:
                keep_oldest()
        finally:
            sink.close()


def parse_run(run: LineRun) -> ParsedRun:
    """The records of a run of lines (in the helper process, or here)."""
    read_lines = line_reader(run.format, run.options)
    assert read_lines is not None, "only formats read a line at a time come in runs"
    warnings: list[str] = []
    papers = read_lines(run.lines, run.label, warnings, first_line=run.first_line,
                        listed=None)
    accepts = run.options.filter.accepts
    chosen = papers if run.options.filter.is_empty else (p for p in papers if accepts(p))
    records = [(merge_id(paper), paper.sources[0].line if paper.sources else 0,
                paper.source_key is not None, encode(paper)) for paper in chosen]
    return ParsedRun(records, warnings)


def _submitted(helper: Executor, run: LineRun) -> Future[ParsedRun] | ParsedRun:
    from concurrent.futures.process import BrokenProcessPool

    try:
        return helper.submit(parse_run, run)
    except (BrokenProcessPool, OSError) as error:
        # The helper died, or none could be started (an OSError: no process to be had):
        # this run and the rest are parsed here, only slower; never a reading error.
        log.debug("parsing a run here: %s", error)
        return parse_run(run)


def _done(parsed: Future[ParsedRun] | ParsedRun) -> bool:
    return not isinstance(parsed, Future) or parsed.done()


def _keep(spill: RecordSpill, path: str, parsed: ParsedRun, sink: Warnings,
          tick: Callable[[], None]) -> None:
    for warning in parsed.warnings:
        sink.add_said(warning)
    for mid, line, user, data in parsed.records:
        spill.add_encoded(path, line, mid, user, data)
        tick()


def _runs(path: Path, format: DumpFormat, options: ReadOptions,
          tap: Callable[[bytes], None]) -> Iterator[LineRun]:
    with open_text(path, tap) as lines:
        run: list[str] = []
        first_line = 1
        for line in lines:
            run.append(line)
            if len(run) == RUN_LINES:
                yield LineRun(format, options, path.name, first_line, run)
                first_line += len(run)
                run = []
        if run:
            yield LineRun(format, options, path.name, first_line, run)


def _opens_array(path: Path) -> bool:
    """Whether the file's first line that is not blank opens a JSON array."""
    with open_text(path) as lines:
        for line in lines:
            if line.strip():
                return line.lstrip().startswith("[")
    return False
