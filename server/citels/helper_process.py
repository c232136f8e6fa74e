"""The helper processes of an index run: started one way, and ended with their run.

They are started by "spawn": the server indexes from a thread, and forking a threaded
process is unsafe. And a process pool's worker holds both ends of its pipes, so when the
process that started it is killed (`kill`, the out-of-memory killer) no end-of-file ever
reaches it: it would wait for work, or for its result to be read, for ever, holding its
memory. A thread of its own looks for its parent every second instead.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

PARENT_CHECK_SECONDS = 1.0


def helper_pool(workers: int = 1, initializer: Callable[..., None] | None = None,
                initargs: tuple[Any, ...] = ()) -> ProcessPoolExecutor:
    """A pool of helper processes, each running `initializer(*initargs)` first and ending
    as soon as the process that started it is gone."""
    # Imported here: a server's start does without them (only a large index run uses them).
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    return ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                               initializer=_start, initargs=(initializer, *initargs))


def _start(initializer: Callable[..., None] | None, *initargs: Any) -> None:
    _end_with_parent()
    if initializer is not None:
        initializer(*initargs)


def _end_with_parent() -> None:
    """End this process (a pool's worker) as soon as its parent process is gone."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)  # nothing of a helper's outlives its run: its work is thrown away

    threading.Thread(target=watch, name="citels-parent-watch", daemon=True).start()
