"""What a helper process of an index run does first: end itself once the index run that
started it is gone.

A process pool's worker holds both ends of its pipes, so when the process that started it
is killed (`kill`, the out-of-memory killer) no end-of-file ever reaches it: it would wait
for work, or for its result to be read, for ever, holding its memory. A thread of its own
looks for its parent every second instead.
"""

from __future__ import annotations

import os
import threading
import time

PARENT_CHECK_SECONDS = 1.0


def end_with_parent() -> None:
    """End this process (a pool's worker) as soon as its parent process is gone."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)  # nothing of a helper's outlives its run: its work is thrown away

    threading.Thread(target=watch, name="citels-parent-watch", daemon=True).start()
