"""The HTTP client of the lookups: requests with a persistent cache (requests-cache, SQLite,
in the user cache directory), a short timeout, and every failure a quiet None.

Found and not-found answers (200 and 404) are both cached for a day: a DOI typed a
character at a time asks for several that do not exist, and asking again would only get
the same 404. Papers that were found are kept as papers (`kept.py`), so they are not
looked up again at all; the cache is for the rest.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

log = logging.getLogger("citels.online")

CONNECT_TIMEOUT = 3.05  # seconds; the read timeout is the services' (Services.timeout)
CACHE_FOR = timedelta(days=1)


class MetadataHttp:
    """GET requests to the metadata services, cached; one instance per process and thread."""

    def __init__(self, cache_file: Path, user_agent: str, timeout: float) -> None:
        # Here: requests takes a tenth of a second to import, which only lookups should pay.
        import requests_cache

        cache_file.parent.mkdir(parents=True, exist_ok=True)
        self.session = requests_cache.CachedSession(
            str(cache_file), backend="sqlite", expire_after=CACHE_FOR,
            allowable_codes=(200, 404), allowable_methods=("GET",))
        self.session.headers["User-Agent"] = user_agent
        self.timeout = (min(CONNECT_TIMEOUT, timeout), timeout)
        self._last_request: dict[str, float] = {}  # service -> when it was last asked
        self._lock = threading.Lock()

    def get(self, url: str, *, params: dict[str, str] | None = None, accept: str,
            service: str, spacing: float = 0.0) -> str | None:
        """The body of a 200 answer, or None (logged at debug level) for anything else.

        `spacing`: at least this many seconds between two uncached requests to `service`."""
        import requests

        with self._lock:
            if spacing and not self.session.cache.contains(
                    request=requests.Request("GET", url, params=params).prepare()):
                self._wait_turn(service, spacing)
            try:
                response = self.session.get(url, params=params, timeout=self.timeout,
                                            headers={"Accept": accept})
            except (requests.RequestException, OSError, ValueError) as error:
                log.debug("%s: %s failed: %s", service, url, error)
                return None
            if not getattr(response, "from_cache", False):
                self._last_request[service] = time.monotonic()
        if response.status_code != 200:
            log.debug("%s: %s answered %s", service, url, response.status_code)
            return None
        try:
            return response.text
        except (ValueError, LookupError) as error:  # a body in no known encoding
            log.debug("%s: %s sent an unreadable body: %s", service, url, error)
            return None

    def _wait_turn(self, service: str, spacing: float) -> None:
        last = self._last_request.get(service)
        if last is not None:
            time.sleep(max(0.0, last + spacing - time.monotonic()))

    def close(self) -> None:
        """Close the session and its cache."""
        self.session.close()


def json_object(text: str | None) -> dict[str, Any] | None:
    """A JSON object from a body, or None for anything else (garbage is not found)."""
    import json

    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
