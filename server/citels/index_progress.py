"""The progress of an index run, for a person watching: on the CLI a bar with papers/s and
an ETA, in the editor `$/progress` reports (through a listener the server gives).

An index run has two long phases. Reading: a dump is one file of gigabytes, so files done
is no measure; the bytes read from disk (compressed, as they are) are, and give an ETA.
Writing: every paper merged, keyed and written, counted against the papers read. At three
million papers each takes minutes, so both are shown.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import Any

_BAR_FROM_BYTES = 20 << 20  # smaller runs end before a bar would tell anyone anything
_POSTFIX_EVERY = 0.5  # seconds between updates of the papers/s figure
_TELL_EVERY = 0.5  # seconds between reports to a listener

# Told what is under way: a message ("reading: 12,000 papers") and a percentage (or None).
ProgressListener = Callable[[str, int | None], None]


class IndexProgress:
    """Counts bytes and papers as sources are read, then papers as they are written; draws
    bars when `enabled` on a TTY, and tells `listener` (at most twice a second, and at the
    start and end of each phase)."""

    def __init__(self, total_bytes: int, enabled: bool,
                 listener: ProgressListener | None = None) -> None:
        self.papers = 0
        self.total_bytes = total_bytes
        self.bytes_read = 0
        self._listener = listener
        self._bar: Any = None
        self._bars = (enabled and total_bytes >= _BAR_FROM_BYTES and sys.stderr.isatty()
                      and not os.environ.get("CI"))
        self._started = time.perf_counter()
        self._shown = 0.0
        self._told = 0.0
        self._writing: tuple[int, int] | None = None  # (written, to write)
        # When each phase ended (perf_counter): reading, then what comes before the first
        # paper is written (sorting, gathering), then writing the papers.
        self._ends: dict[str, float] = {}
        if self._bars:
            from tqdm import tqdm

            self._bar = tqdm(total=total_bytes, unit="B", unit_scale=True, unit_divisor=1024,
                             desc="indexing", file=sys.stderr, leave=False, smoothing=0.1)
        self._tell(force=True)

    # --- reading ---------------------------------------------------------------------------

    def source(self, name: str) -> None:
        """A new source is being read."""
        if self._bar is not None:
            self._bar.set_description_str(name[-30:], refresh=False)

    def read(self, block: bytes) -> None:
        """Bytes were read from disk (a stream's tap)."""
        self.bytes_read += len(block)
        if self._bar is not None:
            self._bar.update(len(block))

    def paper(self) -> None:
        """One more paper read."""
        self.papers += 1
        if self.papers % 1000:
            return
        now = time.perf_counter()
        if self._bar is not None and now - self._shown >= _POSTFIX_EVERY:
            self._shown = now
            rate = self.papers / max(now - self._started, 1e-9)
            self._bar.set_postfix_str(f"{self.papers:,} papers, {rate:,.0f} papers/s",
                                      refresh=False)
        self._tell()

    def close(self) -> None:
        """Reading is done: take its bar away."""
        self._ends.setdefault("reading", time.perf_counter())
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        self._tell(force=True)

    # --- writing ---------------------------------------------------------------------------

    def writing(self, total: int) -> Callable[[], None]:
        """Writing `total` papers begins; returns what to call as each one is written."""
        self._ends.setdefault("preparing", time.perf_counter())
        if not total:
            self._ends.setdefault("writing", time.perf_counter())
        self._writing = (0, total)
        if self._bars and total:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit=" papers", unit_scale=True, desc="writing",
                             file=sys.stderr, leave=False, smoothing=0.1)
        self._tell(force=True)

        def written() -> None:
            assert self._writing is not None
            done = self._writing[0] + 1
            self._writing = (done, total)
            if done == total:
                self._ends.setdefault("writing", time.perf_counter())
            if done % 1000 == 0 or done == total:
                if self._bar is not None:
                    self._bar.update(1000 if done % 1000 == 0 else done % 1000)
                self._tell(force=done == total)

        return written

    def finish(self) -> None:
        """The run is done: take any bar away."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def phases(self, end: float) -> dict[str, float]:
        """The seconds each phase took, in order, the run having ended at `end`
        (perf_counter): reading, preparing, writing, and finishing (the last papers' rows,
        the indexes merged, the commit). Phases the run did not reach are left out."""
        seconds, since = {}, self._started
        for phase in ("reading", "preparing", "writing"):
            if phase not in self._ends:
                break
            seconds[phase], since = self._ends[phase] - since, self._ends[phase]
        else:
            seconds["finishing"] = end - since
        return seconds

    # --- the listener ----------------------------------------------------------------------

    def message(self) -> tuple[str, int | None]:
        """What is under way, as the listener is told it."""
        if self._writing is not None:
            done, total = self._writing
            return (f"writing: {done:,} of {total:,} papers",
                    100 * done // total if total else 100)
        percentage = min(100, 100 * self.bytes_read // self.total_bytes) \
            if self.total_bytes else None
        return f"reading: {self.papers:,} papers", percentage

    def _tell(self, *, force: bool = False) -> None:
        if self._listener is None:
            return
        now = time.perf_counter()
        if force or now - self._told >= _TELL_EVERY:
            self._told = now
            self._listener(*self.message())
