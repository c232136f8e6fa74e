"""The helper processes of an index run: started one way, and ended with their run.

They are started by "spawn": the server indexes from a thread, and forking a threaded
process is unsafe. And a process pool's worker holds both ends of its pipes, so when the
process that started it is killed (`kill`, the out-of-memory killer) no end-of-file ever
reaches it: it would wait for work, or for its result to be read, for ever, holding its
memory. A thread of its own looks for its parent every second instead.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

log = logging.getLogger(__name__)
PARENT_CHECK_SECONDS = 1.0
# A pool's pipes hold this much (Linux's own limit for anyone; the default is 64 KB). A
# batch's rows (~1 MB) went back through 64 KB at a time, each piece waiting for this
# process's reading thread to get the interpreter lock from its busy main thread: the
# helper waited a tenth of a first index's write phase for its results to be read
# (docs/performance.md).
PIPE_BYTES = 1 << 20
_ahead: ProcessPoolExecutor | None = None  # a helper started ahead (`started_ahead`)


def helper_pool(workers: int = 1, initializer: Callable[..., None] | None = None,
                initargs: tuple[Any, ...] = ()) -> ProcessPoolExecutor:
    """A pool of helper processes, each running `initializer(*initargs)` first and ending
    as soon as the process that started it is gone (one helper started ahead is taken
    for a pool of one, if there is one)."""
    global _ahead
    if _ahead is not None and workers == 1:
        pool, _ahead = _ahead, None
        if initializer is not None:
            # One process, which runs its work in order: this comes before any other.
            pool.submit(_initialize, initializer, *initargs)
        return pool
    return _new_pool(workers, initializer, initargs)


@contextmanager
def started_ahead(modules: tuple[str, ...], wanted: bool = True) -> Iterator[None]:
    """Start a helper process now (if `wanted`), importing `modules`, for the next
    `helper_pool` of one to take; stop it at the end if none took it.

    A helper takes ~0.25 s of CPU to start (Python, its imports), which an index run
    otherwise waits for when it needs it: started while the run still has a core to
    spare (a server's cold start of a large .bib reads on one), it is ready by then."""
    global _ahead
    if not wanted or _ahead is not None:
        yield
        return
    pool = _ahead = _new_pool(1, None, ())
    try:
        pool.submit(_import, modules)
    except Exception:  # none could be started: the run starts its own when it needs one
        _ahead = None
    try:
        yield
    finally:
        if _ahead is pool:
            _ahead = None
            pool.shutdown(wait=False, cancel_futures=True)


def _new_pool(workers: int, initializer: Callable[..., None] | None,
              initargs: tuple[Any, ...]) -> ProcessPoolExecutor:
    # Imported here: a server's start does without them (only a large index run uses them).
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                               initializer=_start, initargs=(initializer, *initargs))
    _enlarge_pipes(pool)
    return pool


def _enlarge_pipes(pool: ProcessPoolExecutor) -> None:
    """Let the pool's pipes (work sent, results back) hold PIPE_BYTES, where the system
    allows it; else they stay as they are, which is only slower."""
    try:
        import fcntl

        for end in (pool._call_queue._writer, pool._result_queue._reader):  # type: ignore[attr-defined]
            fcntl.fcntl(end.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)  # type: ignore[attr-defined]
    except (ImportError, AttributeError, OSError) as error:  # not Linux, or not allowed
        log.debug("the helper's pipes keep their size: %s", error)


def _start(initializer: Callable[..., None] | None, *initargs: Any) -> None:
    _end_with_parent()
    if initializer is not None:
        initializer(*initargs)


def _import(modules: tuple[str, ...]) -> None:
    for module in modules:
        import_module(module)


def _initialize(initializer: Callable[..., None], *initargs: Any) -> None:
    """A helper started ahead runs its pool's initializer as its first work; if it fails,
    the helper ends, as a pool's does when its initializer fails: the pool is broken, and
    the run goes on without it."""
    try:
        initializer(*initargs)
    except BaseException:
        traceback.print_exc(file=sys.stderr)
        os._exit(1)


def _end_with_parent() -> None:
    """End this process (a pool's worker) as soon as its parent process is gone."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)  # nothing of a helper's outlives its run: its work is thrown away

    threading.Thread(target=watch, name="citels-parent-watch", daemon=True).start()
