"""The progress bar of `citels index`: bytes of the corpus read, papers per second, an ETA.

A dump is one file of gigabytes, so files done is no measure; the bytes read from disk
(compressed, as they are) are, and give tqdm what it needs for an ETA. Shown only where a
person watches a terminal and only for a run that is long enough to need it.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

_BAR_FROM_BYTES = 20 << 20  # smaller runs end before a bar would tell anyone anything
_POSTFIX_EVERY = 0.5  # seconds between updates of the papers/s figure


class ReadingProgress:
    """Counts bytes and papers as sources are read; draws a bar when `enabled` on a TTY."""

    def __init__(self, total_bytes: int, enabled: bool) -> None:
        self.papers = 0
        self._bar: Any = None
        self._started = time.perf_counter()
        self._shown = 0.0
        if (enabled and total_bytes >= _BAR_FROM_BYTES and sys.stderr.isatty()
                and not os.environ.get("CI")):
            from tqdm import tqdm

            self._bar = tqdm(total=total_bytes, unit="B", unit_scale=True, unit_divisor=1024,
                             desc="indexing", file=sys.stderr, leave=False, smoothing=0.1)

    def source(self, name: str) -> None:
        """A new source is being read."""
        if self._bar is not None:
            self._bar.set_description_str(name[-30:], refresh=False)

    def read(self, block: bytes) -> None:
        """Bytes were read from disk (a stream's tap)."""
        if self._bar is not None:
            self._bar.update(len(block))

    def paper(self) -> None:
        """One more paper read."""
        self.papers += 1
        if self._bar is not None and self.papers % 1000 == 0:
            now = time.perf_counter()
            if now - self._shown >= _POSTFIX_EVERY:
                self._shown = now
                rate = self.papers / max(now - self._started, 1e-9)
                self._bar.set_postfix_str(f"{self.papers:,} papers, {rate:,.0f} papers/s",
                                          refresh=False)

    def close(self) -> None:
        """Take the bar away (the summary line follows)."""
        if self._bar is not None:
            self._bar.close()
