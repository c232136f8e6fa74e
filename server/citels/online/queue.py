"""Lookups beside typing: one at a time on a worker thread, the newest identifier first.

A writer typing a DOI asks for each of its prefixes in turn; only the identifier that has
stood still for a moment (`SETTLE_SECONDS`) is looked up, and those it replaced are dropped
unasked. Each identifier is looked up once: a paper found is kept (and found in the index
from then on); one not found is not asked again for `RETRY_SECONDS` (a network that was
down may be back).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from citels.corpus.identifiers import Identifier
from citels.online.kept import KeptPapers
from citels.online.lookup import Fetcher
from citels.online.worker import Worker

log = logging.getLogger("citels.online")
SETTLE_SECONDS = 0.25
RETRY_SECONDS = 300.0


class LookupQueue:
    """Identifiers to look up, and what became of those asked for."""

    def __init__(self, fetcher: Fetcher, kept: KeptPapers,
                 is_taken: Callable[[str], bool]) -> None:
        self.fetcher = fetcher
        self.kept = kept
        self.is_taken = is_taken  # whether a key is some paper's already (keys stay unique)
        self._outcomes: dict[Identifier, tuple[asyncio.Future[bool], float]] = {}
        self._next: Identifier | None = None
        self._wished_at = 0.0
        self._runner: asyncio.Task | None = None
        self._worker = Worker("citels-online")
        # The HTTP client's imports, paid now on the worker rather than by the first paste.
        self._worker.submit(self._warm_up)

    def _warm_up(self) -> None:
        try:
            self.fetcher.open()
            import sqlite_utils  # noqa: F401 (the indexer's, which keeping a paper needs)
        except Exception as error:  # a cache that cannot be opened: each lookup says so
            log.debug("warming the online lookups up failed: %r", error)

    def want(self, identifier: Identifier) -> asyncio.Future[bool]:
        """A future that says whether the paper was found and kept (False when it was
        dropped for a newer identifier)."""
        known = self._outcomes.get(identifier)
        if known is not None:
            outcome, when = known
            retry = outcome.done() and not outcome.result() and \
                time.monotonic() - when > RETRY_SECONDS
            if not retry:
                return outcome
        outcome = asyncio.get_running_loop().create_future()
        self._outcomes[identifier] = (outcome, time.monotonic())
        if self._next is not None and self._next != identifier:
            self._drop(self._next)
        self._next, self._wished_at = identifier, time.monotonic()
        if self._runner is None or self._runner.done():
            self._runner = asyncio.get_running_loop().create_task(self._run())
        return outcome

    async def found_within(self, identifiers: list[Identifier], seconds: float) -> bool:
        """Look up the identifiers (the last typed goes first); whether any was found and
        kept within `seconds`. The lookups go on after that: the next completion shows it."""
        outcomes = [self.want(identifier) for identifier in identifiers]
        if not outcomes:
            return False
        # asyncio.wait neither cancels the lookups at the timeout nor raises if the queue
        # is closed meanwhile.
        await asyncio.wait(outcomes, timeout=seconds)
        return any(o.done() and not o.cancelled() and o.result() for o in outcomes)

    def _drop(self, identifier: Identifier) -> None:
        outcome, _ = self._outcomes.pop(identifier, (None, 0.0))
        if outcome is not None and not outcome.done():
            outcome.set_result(False)

    async def _run(self) -> None:
        while self._next is not None:
            wait = self._wished_at + SETTLE_SECONDS - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            identifier, self._next = self._next, None
            outcome, _ = self._outcomes[identifier]
            found = False
            try:
                item = await self._worker.run(self.fetcher.look_up, identifier)
                if item is not None:
                    await self._keep(identifier, item)
                    found = True
            except Exception as error:  # never the writer's problem: "not found"
                log.debug("keeping %s failed: %r", identifier, error)
            self._outcomes[identifier] = (outcome, time.monotonic())
            if not outcome.done():
                outcome.set_result(found)

    async def _keep(self, identifier: Identifier, item: dict[str, Any]) -> None:
        # The key is chosen here, on the loop's thread, where the catalogue may be asked.
        key = self.kept.keep(identifier, item, self.is_taken)
        await self._worker.run(self.kept.refresh)
        log.debug("looked up %s:%s as %s", *identifier, key)

    def close(self) -> None:
        """Stop: lookups under way end on their own; nothing more starts."""
        if self._runner is not None:
            self._runner.cancel()
        for outcome, _ in self._outcomes.values():
            if not outcome.done():
                outcome.cancel()
        self._worker.submit(self.fetcher.close)
        self._worker.stop()
