"""Property-based fuzzing of the real server over stdio: random sequences of document edits
and requests, with random and hostile text. After every step the server must be alive, and
every response must be valid for the protocol.

CI runs about 10,000 steps. A longer soak on demand:

    CITELS_FUZZ_STEPS=200000 python -m pytest tests/fuzz -q -s

prints the number of steps, responses and errors.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsp_pipe import PipeClient

from citels.indexer import index_corpus
from citels.store import Store

REPO = Path(__file__).resolve().parents[2]
STEPS = int(os.environ.get("CITELS_FUZZ_STEPS", "10000"))
STEPS_PER_EXAMPLE = 100

FRAGMENTS = [
    "\\cite{", "\\citep[see][p.~3]{", "\\parencites{a}{", "\\volcite{3}{", "\\nocite{*}", ",",
    "}", "{", "[", "]", "[@", "@", "; @", "[-@", "@{", "mirror desc", "hanabi", "tulu 3",
    "mirrorDescentPolicy2020", "knuth84", "%", "\\%", "\\begin{verbatim}", "\\end{verbatim}",
    "```", "~~~", "---\nbibliography: refs.bib\n---\n", "bibliography: [a.bib, ../x.bib]",
    "\\bibliography{refs}", "\\bibliography{../../elsewhere}", "\\addbibresource{/etc/x.bib}",
    "jane@example.org", "😀", "👩‍🔬", "שלום עולם", "\u202e", "\r\n", "\r", "\n", "\n\n",
    "\x00", "\t", "é", "\u2028", "\x0c", "\\", "$x_{1}$", "`code`", "@fig:x", "\"", "*",
    "NEAR(", "AND", "-", "@misc{k,\n title={x}}\n", "@string{a = \"b\"}", "x" * 300,
]
text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)),
                max_size=30).map("".join)
small = st.integers(min_value=0, max_value=12)
column = st.integers(min_value=0, max_value=120)
documents = st.integers(min_value=0, max_value=3)
languages = st.sampled_from(["latex", "markdown", "quarto", "bibtex", "plaintext", "python"])
actions = st.one_of(
    st.tuples(st.just("open"), documents, languages, text),
    st.tuples(st.just("change"), documents, small, column, small, column, text,
              st.sampled_from([1, 1, 1, 0, -1, 7])),
    st.tuples(st.just("replace"), documents, text),
    st.tuples(st.just("complete"), documents, small, column),
    st.tuples(st.just("hover"), documents, small, column),
    st.tuples(st.just("resolve"), st.integers(0, 60)),
    st.tuples(st.just("insert"), st.sampled_from(["mirrorDescentPolicy2020", "nokey", "", "😀"]),
              documents),
    st.tuples(st.just("show"), st.sampled_from(["tulu3Pushing", "x", ""])),
    st.tuples(st.just("save"), documents),
    st.tuples(st.just("close"), documents),
    st.tuples(st.just("cancel"), documents, small, column),
    st.tuples(st.just("unknown"),),
    # Aimed at the citation paths: random text, then a citation being typed at the end.
    st.tuples(st.just("cite"), documents, text,
              st.sampled_from(["\\cite{", "\\citep[see][p.~3]{", "\\textcite{a, ", "[@",
                               "As @", "[see @a, p. 3; @", "@{", "\\mycite{"]),
              st.one_of(st.sampled_from(["mirror desc", "tulu", "hanabi", "dpo", "varaince",
                                         "mirrorDescentPolicy2020", ""]), text)),
    st.tuples(st.just("hover_key"), documents, text,
              st.sampled_from(["mirrorDescentPolicy2020", "knuth84", "nokey", "😀"])),
)

EXTENSIONS = {"latex": "tex", "markdown": "md", "quarto": "qmd", "bibtex": "bib",
              "plaintext": "txt", "python": "py"}


class Session:
    """One server for the whole run; documents come and go."""

    def __init__(self, root: Path) -> None:
        database = root / "index.sqlite3"
        store = Store(database)
        index_corpus(store, [REPO / "corpus"])
        store.close()
        self.log = root / "server.log"
        self.root = root / "ws"
        self.root.mkdir()
        env = {**os.environ, "XDG_CACHE_HOME": str(root / "cache")}
        self.client = PipeClient([sys.executable, "-m", "citels", "serve", "--db", str(database),
                                  "--corpus", str(REPO / "corpus")], env, root / "server.log")
        self.client.request("initialize", {
            "processId": None, "rootUri": self.root.as_uri(),
            "capabilities": {"workspace": {"applyEdit": True, "configuration": True,
                                           "workspaceEdit": {"documentChanges": True}},
                             "window": {"workDoneProgress": True},
                             "textDocument": {"hover": {"contentFormat": ["markdown"]}}},
            "workspaceFolders": [{"uri": self.root.as_uri(), "name": "ws"}]})
        self.client.notify("initialized", {})
        self.versions: dict[int, int] = {}
        self.uris: dict[int, str] = {}
        self.items: list[dict] = []
        self.steps = 0

    def uri(self, document: int) -> str:
        return self.uris.get(document, (self.root / f"doc{document}.tex").as_uri())

    def position(self, line: int, character: int) -> dict:
        return {"line": line, "character": character}

    def run(self, action: tuple) -> None:
        kind, *args = action
        c = self.client
        if kind == "open":
            document, language, body = args
            uri = (self.root / f"doc{document}.{EXTENSIONS[language]}").as_uri()
            self.uris[document] = uri
            self.versions[document] = 1
            c.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": language, "version": 1, "text": body}})
        elif kind == "change":
            document, l1, c1, l2, c2, body, step = args
            self.versions[document] = self.versions.get(document, 0) + step
            start, end = sorted([(l1, c1), (l2, c2)])
            c.notify("textDocument/didChange", {
                "textDocument": {"uri": self.uri(document), "version": self.versions[document]},
                "contentChanges": [{"range": {"start": self.position(*start),
                                              "end": self.position(*end)}, "text": body}]})
        elif kind == "replace":
            document, body = args
            self.versions[document] = self.versions.get(document, 0) + 1
            c.notify("textDocument/didChange", {
                "textDocument": {"uri": self.uri(document), "version": self.versions[document]},
                "contentChanges": [{"text": body}]})
        elif kind in ("complete", "hover"):
            document, line, character = args
            method = "textDocument/completion" if kind == "complete" else "textDocument/hover"
            response = c.request(method, {"textDocument": {"uri": self.uri(document)},
                                          "position": self.position(line, character)})
            result = response.get("result")
            if kind == "complete" and isinstance(result, dict) and result.get("items"):
                self.items = result["items"]
                c.counts["completions with papers"] += 1
            if kind == "hover" and result:
                c.counts["hovers with text"] += 1
        elif kind == "resolve":
            (index,) = args
            item = self.items[index % len(self.items)] if self.items else {
                "label": "x", "data": {"key": "nokey"}}
            c.request("completionItem/resolve", item)
        elif kind == "insert":
            key, document = args
            c.request("workspace/executeCommand", {"command": "citels.insertBibtex",
                                                   "arguments": [key, self.uri(document)]})
        elif kind == "show":
            c.request("workspace/executeCommand", {"command": "citels.showPaper",
                                                   "arguments": list(args)})
        elif kind == "save":
            c.notify("textDocument/didSave", {"textDocument": {"uri": self.uri(args[0])}})
        elif kind == "close":
            c.notify("textDocument/didClose", {"textDocument": {"uri": self.uri(args[0])}})
            self.uris.pop(args[0], None)
        elif kind == "cancel":
            document, line, character = args
            request_id = c.send_request("textDocument/completion", {
                "textDocument": {"uri": self.uri(document)},
                "position": self.position(line, character)})
            c.notify("$/cancelRequest", {"id": request_id})
            c.wait_for(request_id, "textDocument/completion")
        elif kind in ("cite", "hover_key"):
            document, before = args[0], args[1]
            language = "markdown" if kind == "cite" and "@" in args[2] else "latex"
            uri = (self.root / f"doc{document}.{EXTENSIONS[language]}").as_uri()
            body = (before + "\n" + args[2] + args[3] if kind == "cite"
                    else before + "\n\\cite{" + args[2] + "}")
            self.uris[document] = uri
            self.versions[document] = 1
            c.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": language, "version": 1, "text": body}})
            last = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            line = len(last) - 1
            end = len(last[-1].encode("utf-16-le")) // 2
            method = "textDocument/completion" if kind == "cite" else "textDocument/hover"
            response = c.request(method, {"textDocument": {"uri": uri},
                                          "position": self.position(line, max(0, end - 2))
                                          if kind == "hover_key" else self.position(line, end)})
            result = response.get("result")
            if isinstance(result, dict) and result.get("items"):
                self.items = result["items"]
                c.counts["completions with papers"] += 1
            if kind == "hover_key" and result:
                c.counts["hovers with text"] += 1
        elif kind == "unknown":
            c.notify("$/citelsFuzzNotification", {"x": 1})
            c.request("citels/noSuchMethod", {})
        self.steps += 1
        assert c.alive(), f"the server died after {action!r}"


@pytest.fixture(scope="module")
def session():
    with tempfile.TemporaryDirectory(prefix="citels-fuzz-") as temp:
        running = Session(Path(temp))
        yield running
        print(f"\nfuzz: {running.steps} steps, {dict(running.client.counts)},"
              f" {len(running.client.problems)} problems")
        running.client.close()


@settings(max_examples=max(1, STEPS // STEPS_PER_EXAMPLE), deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(st.lists(actions, min_size=STEPS_PER_EXAMPLE, max_size=STEPS_PER_EXAMPLE))
def test_the_server_survives_anything(session: Session, steps: list[tuple]):
    for action in steps:
        session.run(action)
    assert session.client.problems == []
    assert session.client.counts["invalid"] == 0


def test_the_fuzzing_reached_its_step_count(session: Session):
    # Runs after the property test in this module: the steps really were taken.
    assert session.steps >= STEPS
    counts = Counter(session.client.counts)
    assert counts["responses"] > STEPS // 3
    assert counts["completions with papers"] > 0 and counts["hovers with text"] > 0
    # Errors the server caught in its notification handlers are logged, not answered: none.
    log = session.log.read_text(errors="replace")
    assert "Traceback" not in log, log[log.find("Traceback") - 200:][:3000]
