"""The one thread lookups run on: a daemon, so a lookup under way (a slow service, arXiv's
three seconds between requests) never holds up the server's exit, as the joined threads of
a ThreadPoolExecutor would. Jobs run in the order given; each answers an asyncio future."""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from typing import Any

_STOP = object()


class Worker:
    """A daemon thread running blocking jobs one at a time."""

    def __init__(self, name: str) -> None:
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        threading.Thread(target=self._run, name=name, daemon=True).start()

    def run(self, job: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        """Run `job(*args)` on the thread; a future of the running loop for its result."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._jobs.put((loop, future, job, args))
        return future

    def submit(self, job: Callable[..., Any], *args: Any) -> None:
        """Run `job(*args)` on the thread, for its effect alone."""
        self._jobs.put((None, None, job, args))

    def stop(self) -> None:
        """End the thread once the jobs given so far are done."""
        self._jobs.put(_STOP)

    def _run(self) -> None:
        while (item := self._jobs.get()) is not _STOP:
            loop, future, job, args = item
            try:
                result, error = job(*args), None
            except Exception as failure:  # handed to whoever awaits the future
                result, error = None, failure
            if loop is not None and not loop.is_closed():
                try:
                    loop.call_soon_threadsafe(_settle, future, result, error)
                except RuntimeError:  # the loop closed meanwhile: nobody is waiting
                    pass


def _settle(future: asyncio.Future[Any], result: Any, error: Exception | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
