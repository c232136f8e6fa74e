"""A loopback HTTP server that answers like Crossref, DataCite and the arXiv API, from the
response files in fixtures/online/, and counts the requests it gets. Tests point citels'
lookups at it (Services, or the CITELS_*_URL environment variables): no test needs the
internet."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

from citels.online.services import Services

FIXTURES = Path(__file__).parent / "fixtures" / "online"
CROSSREF_WORK = "/crossref/works/10.1234/abcd"
DATACITE_DOI = "/datacite/dois/10.5281/zenodo.1234567"
ARXIV_ENTRY = "/arxiv/api/query?id_list=2401.01234"


@dataclass
class Answer:
    """What the server sends for one path: a status, a body, its type, after a delay."""

    status: int
    body: bytes
    content_type: str = "application/json"
    delay: float = 0.0


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class MetadataServer:
    """The server, its answers by path (unquoted, with the query), and the paths asked."""

    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.requests: list[str] = []
        self.user_agents: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
                path = unquote(self.path)
                outer.requests.append(path)
                outer.user_agents.append(self.headers.get("User-Agent", ""))
                answer = outer.answers.get(path) or outer.not_found(path)
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", answer.content_type)
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except OSError:  # the client gave up (a timeout test)
                    pass

            def log_message(self, *args: object) -> None:
                pass  # quiet

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def not_found(self, path: str) -> Answer:
        """Each service's own 404 for what it does not have."""
        if path.startswith("/crossref/"):
            return Answer(404, fixture("crossref-not-found.txt"), "text/plain")
        if path.startswith("/arxiv/"):
            return Answer(200, fixture("arxiv-empty.xml"), "application/atom+xml")
        return Answer(404, fixture("datacite-not-found.json"), "application/vnd.api+json")

    def serve_recorded(self) -> None:
        """The recorded work, record and entry at their paths."""
        self.answers[CROSSREF_WORK] = Answer(200, fixture("crossref-work.json"))
        self.answers[DATACITE_DOI] = Answer(200, fixture("datacite-doi.json"),
                                            "application/vnd.api+json")
        self.answers[ARXIV_ENTRY] = Answer(200, fixture("arxiv-entry.xml"),
                                           "application/atom+xml")

    def services(self, timeout: float = 2.0, contact: str | None = None) -> Services:
        """Services pointed here."""
        return Services(crossref=f"{self.url}/crossref", datacite=f"{self.url}/datacite",
                        arxiv=f"{self.url}/arxiv/api/query", contact=contact,
                        arxiv_interval=0.0, timeout=timeout)

    def environment(self) -> dict[str, str]:
        """The environment variables that point a server process here."""
        return {"CITELS_CROSSREF_URL": f"{self.url}/crossref",
                "CITELS_DATACITE_URL": f"{self.url}/datacite",
                "CITELS_ARXIV_URL": f"{self.url}/arxiv/api/query"}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
