"""Looking identifiers up online: each service's documented response mapped to a paper
(every field, and the BibTeX written from it), failures as a quiet "not found", the cache,
and the papers kept. Against a loopback server replaying tests/fixtures/online/: no test
needs the internet."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from citels.bibliography.entry import to_bibtex
from citels.catalogue import Catalogue
from citels.corpus.csl_json import csl_item_paper
from citels.corpus.identifiers import identifiers_in, paper_identifiers
from citels.online.kept import KeptPapers
from citels.online.lookup import Fetcher
from citels.online.queue import LookupQueue
from citels.store import Store
from online_server import ARXIV_ENTRY, CROSSREF_WORK, DATACITE_DOI, Answer, MetadataServer

DOI = ("doi", "10.1234/abcd")
ARXIV = ("arxiv", "2401.01234")
ZENODO = ("doi", "10.5281/zenodo.1234567")


@pytest.fixture
def server() -> Iterator[MetadataServer]:
    server = MetadataServer()
    server.serve_recorded()
    yield server
    server.close()


@pytest.fixture
def fetcher(server: MetadataServer, tmp_path: Path) -> Iterator[Fetcher]:
    fetcher = Fetcher(server.services(), tmp_path / "http-cache.sqlite")
    yield fetcher
    fetcher.close()


def paper_of(item: dict):
    return csl_item_paper({**item, "id": "key"}, "looked-up.json")


def test_crossref_work_maps_every_field(fetcher: Fetcher, server: MetadataServer):
    paper = paper_of(fetcher.look_up(DOI))
    assert paper.title == "Drift of Paper Boats on Slow Rivers: A Field Study"
    assert paper.authors == ["Okonkwo-Lindqvist, Maren", "Ibáñez, José",
                             "River Watch Consortium"]
    assert paper.editors == ["Quill, Ada"]
    assert (paper.year, paper.month, paper.date) == (2024, 3, "2024-03-15")
    assert paper.venue == "Journal of Imaginary Hydrology"
    assert paper.doi == "10.1234/abcd"
    assert paper.urls == ["https://doi.org/10.1234/abcd"]
    assert paper.entry_type == "article"
    assert paper.language == "en"
    # JATS made readable: no tags, entities decoded, the "Abstract" heading left out.
    assert paper.abstract == (
        "We measure how paper boats drift on slow rivers & canals, and find that drift grows"
        " with the square of the bank\u2019s curvature. Significance: Boats go where the"
        " water bends.")
    fields = paper.fields
    assert fields["journal"] == "{Journal of Imaginary Hydrology}"
    assert (fields["volume"], fields["number"], fields["pages"]) == ("{42}", "{3}",
                                                                       "{101--117}")
    assert fields["publisher"] == "{Society for Imaginary Rivers}"
    assert fields["issn"] == "{1234-5678}"
    assert fields["author"] == ("{Okonkwo-Lindqvist, Maren and Ib{\\'a}{\\~n}ez, Jos{\\'e}"
                                " and {River Watch Consortium}}")
    assert server.requests == ["/crossref/works/10.1234/abcd"]


def test_datacite_record_maps_every_field(fetcher: Fetcher, server: MetadataServer):
    paper = paper_of(fetcher.look_up(ZENODO))
    assert paper.title == "Lanternfish: A Toolkit for Counting Fireflies: Release 2.1"
    assert paper.authors == ["Varga, Ilona", "Lantern Software Collective"]
    assert (paper.year, paper.date) == (2022, "2022-06-30")
    assert paper.venue == "Firefly Methods"
    assert paper.doi == "10.5281/zenodo.1234567"
    assert paper.urls == ["https://zenodo.org/record/1234567"]
    assert paper.abstract == ("Lanternfish counts fireflies in night-time video by tracking"
                              " each flash across frames.")
    assert paper.fields["publisher"] == "{Zenodo}"
    assert paper.fields["volume"] == "{7}" and paper.fields["pages"] == "{11--19}"
    assert paper.fields["author"] == "{Varga, Ilona and {Lantern Software Collective}}"
    # A Zenodo DOI is DataCite's: asked there first, Crossref never.
    assert server.requests == ["/datacite/dois/10.5281/zenodo.1234567"]


def test_arxiv_entry_maps_every_field(fetcher: Fetcher, server: MetadataServer):
    paper = paper_of(fetcher.look_up(ARXIV))
    assert paper.title == "Quiet Gradients: Training Owls to Sleep Through Noisy Batches"
    assert paper.authors == ["van der Berg, Tomasz", "Raman, Priya"]
    assert (paper.year, paper.date) == (2024, "2024-01-03")
    assert paper.venue == "Journal of Nocturnal Learning 3 (2024) 45-56"
    assert paper.doi == "10.9999/owls.2024.7"
    assert paper.identifiers["arxiv"] == "2401.01234"
    assert paper.urls == ["https://arxiv.org/abs/2401.01234"]
    assert paper.abstract.startswith("We teach simulated owls") and "\n" not in paper.abstract
    assert paper.fields["publisher"] == "{arXiv}"
    assert ("arxiv", "2401.01234") in paper_identifiers(paper)
    assert server.requests == [ARXIV_ENTRY]


def test_an_arxiv_doi_goes_to_the_arxiv_api(fetcher: Fetcher, server: MetadataServer):
    identifiers = identifiers_in("https://doi.org/10.48550/arXiv.2401.01234")
    assert ("doi", "10.48550/arxiv.2401.01234") in identifiers
    paper = paper_of(fetcher.look_up(("doi", "10.48550/arxiv.2401.01234")))
    assert paper.title.startswith("Quiet Gradients")
    assert server.requests == [ARXIV_ENTRY]


def test_a_doi_crossref_lacks_is_asked_of_datacite(fetcher: Fetcher, server: MetadataServer):
    server.answers["/datacite/dois/10.1234/dataset.9"] = server.answers.pop(DATACITE_DOI)
    item = fetcher.look_up(("doi", "10.1234/dataset.9"))
    assert item is not None and item["title"].startswith("Lanternfish")
    assert server.requests == ["/crossref/works/10.1234/dataset.9",
                               "/datacite/dois/10.1234/dataset.9"]


def test_bibtex_of_a_looked_up_paper_is_complete():
    import json

    from citels.online.crossref import crossref_item
    from online_server import fixture

    message = json.loads(fixture("crossref-work.json"))["message"]
    paper = paper_of(crossref_item(message))
    paper.key = "okonkwoLindqvistDriftPaper2024"
    entry = to_bibtex(paper)
    assert entry.startswith("@article{okonkwoLindqvistDriftPaper2024,")
    for line in ("journal   = {Journal of Imaginary Hydrology}", "volume    = {42}",
                 "pages     = {101--117}", "doi       = {10.1234/abcd}", "year      = 2024"):
        assert line in entry


@pytest.mark.parametrize("answer", [
    Answer(404, b"Resource not found.", "text/plain"),
    Answer(500, b"<html>Internal Server Error</html>", "text/html"),
    Answer(200, b"{not json at all", "application/json"),
    Answer(200, b'{"status": "ok", "message-type": "work-list", "message": {"items": []}}'),
    Answer(200, b'{"status": "ok", "message": {"DOI": "10.1234/abcd", "title": []}}'),
    Answer(200, b'["a list, not an object"]'),
    Answer(200, b"\xff\xfe\x00garbage", "application/octet-stream"),
], ids=["404", "500", "garbage", "another-type", "no-title", "a-list", "binary"])
def test_failures_are_a_quiet_not_found(answer: Answer, fetcher: Fetcher,
                                        server: MetadataServer,
                                        caplog: pytest.LogCaptureFixture):
    server.answers[CROSSREF_WORK] = answer
    with caplog.at_level(logging.DEBUG, logger="citels"):
        assert fetcher.look_up(DOI) is None
    assert not [r for r in caplog.records if r.levelno > logging.DEBUG]
    # Crossref did not have it: DataCite was asked too (and has no such DOI).
    assert server.requests == [CROSSREF_WORK, "/datacite/dois/10.1234/abcd"]


@pytest.mark.parametrize("feed", ["arxiv-empty.xml", "arxiv-error.xml"])
def test_an_arxiv_id_arxiv_lacks_is_not_found(feed: str, fetcher: Fetcher,
                                              server: MetadataServer):
    from online_server import fixture

    server.answers["/arxiv/api/query?id_list=2401.5"] = Answer(200, fixture(feed),
                                                              "application/atom+xml")
    assert fetcher.look_up(("arxiv", "2401.5")) is None


def test_an_entry_for_another_paper_is_not_taken(fetcher: Fetcher, server: MetadataServer):
    server.answers["/arxiv/api/query?id_list=2401.07777"] = server.answers[ARXIV_ENTRY]
    assert fetcher.look_up(("arxiv", "2401.07777")) is None


def test_a_slow_service_is_not_found_within_its_timeout(server: MetadataServer,
                                                        tmp_path: Path):
    server.answers[CROSSREF_WORK] = Answer(200, b"{}", delay=3.0)
    server.answers["/datacite/dois/10.1234/abcd"] = Answer(200, b"{}", delay=3.0)
    fetcher = Fetcher(server.services(timeout=0.3), tmp_path / "cache.sqlite")
    assert fetcher.look_up(DOI) is None
    fetcher.close()


def test_an_unreachable_service_is_not_found(tmp_path: Path):
    # A port nothing listens on: the connection is refused at once.
    server = MetadataServer()
    services = server.services()
    server.close()
    fetcher = Fetcher(services, tmp_path / "cache.sqlite")
    assert fetcher.look_up(DOI) is None
    assert fetcher.look_up(ARXIV) is None
    fetcher.close()


def test_answers_are_cached_across_sessions(server: MetadataServer, tmp_path: Path):
    for _ in range(2):  # a second fetcher (a server started again) reads the same cache
        fetcher = Fetcher(server.services(), tmp_path / "cache.sqlite")
        assert fetcher.look_up(DOI) is not None
        assert fetcher.look_up(("doi", "10.1234/missing")) is None
        fetcher.close()
    assert server.requests == [CROSSREF_WORK, "/crossref/works/10.1234/missing",
                               "/datacite/dois/10.1234/missing"]


def test_the_contact_address_is_sent(server: MetadataServer, tmp_path: Path):
    fetcher = Fetcher(server.services(contact="writer@example.org"),
                      tmp_path / "cache.sqlite")
    fetcher.look_up(DOI)
    fetcher.close()
    assert server.requests[0] == "/crossref/works/10.1234/abcd?mailto=writer@example.org"
    assert server.user_agents[0].startswith("citels/")
    assert "mailto:writer@example.org" in server.user_agents[0]


def test_kept_papers_are_an_index_of_their_own(fetcher: Fetcher, tmp_path: Path):
    kept = KeptPapers(tmp_path / "online")
    key = kept.keep(DOI, fetcher.look_up(DOI), lambda key: False)
    assert key == "okonkwolindqvistDriftPaperBoats2024"
    kept.refresh()
    store = Store(kept.index.database)
    try:
        catalogue = Catalogue([store])
        assert catalogue.holds_identifier(DOI)
        assert catalogue.get(key).title.startswith("Drift of Paper Boats")
        assert [h.paper.key for h in catalogue.search("10.1234/ABCD", limit=5)] == [key]
        assert [h.paper.key for h in catalogue.search("paper boats", limit=5)] == [key]
        # A second paper whose key would be the same gets the next free one.
        second = kept.keep(("doi", "10.1234/other"), fetcher.look_up(DOI),
                           lambda k: catalogue.get(k) is not None)
        assert second == key + "a"
    finally:
        store.close()


async def test_the_queue_looks_up_only_the_identifier_typed_last(
        server: MetadataServer, fetcher: Fetcher, tmp_path: Path):
    kept = KeptPapers(tmp_path / "online")
    kept.ensure_folder()
    queue = LookupQueue(fetcher, kept, lambda key: False)
    # A DOI typed a character at a time: each prefix is wanted, only the last is asked.
    partial = [queue.want(("doi", "10.1234/a")), queue.want(("doi", "10.1234/ab")),
               queue.want(("doi", "10.1234/abc"))]
    assert await queue.found_within([DOI], 5.0)
    assert [await outcome for outcome in partial] == [False, False, False]
    assert server.requests == [CROSSREF_WORK]
    # Asked again: answered from what was found, no request.
    assert await queue.found_within([DOI], 1.0)
    assert server.requests == [CROSSREF_WORK]
    queue.close()


async def test_a_lookup_that_takes_long_goes_on_after_the_wait(
        server: MetadataServer, tmp_path: Path):
    server.answers[CROSSREF_WORK].delay = 1.0
    fetcher = Fetcher(server.services(timeout=3.0), tmp_path / "cache.sqlite")
    kept = KeptPapers(tmp_path / "online")
    queue = LookupQueue(fetcher, kept, lambda key: False)
    assert not await queue.found_within([DOI], 0.3)
    assert await asyncio.wait_for(queue.want(DOI), 5.0)
    assert list(kept.papers.glob("doi-*.json"))
    queue.close()


def test_command_line_search_and_bibtex_online(server: MetadataServer, tmp_path: Path):
    from cli_helpers import run_citels

    corpus = Path(__file__).resolve().parents[1] / "corpus"
    common = ("--corpus", str(corpus), "--db", str(tmp_path / "index.sqlite3"))
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), **server.environment()}
    # Without --online: nothing is sent, and the DOI is no paper of the index.
    offline = run_citels("search", *common, "10.1234/abcd", env=env)
    assert "okonkwolindqvist" not in offline.stdout
    assert server.requests == []
    found = run_citels("search", *common, "--online", "doi:10.1234/ABCD", env=env)
    assert found.stdout.splitlines()[0] == (
        "okonkwolindqvistDriftPaperBoats2024  2024  Drift of Paper Boats on Slow Rivers:"
        " A Field Study")
    # Kept: found by its title words later, and its BibTeX by the identifier, no request.
    assert "okonkwolindqvistDriftPaperBoats2024" in run_citels(
        "search", *common, "--online", "paper boats drift", env=env).stdout
    entry = run_citels("bibtex", *common, "--online", "https://doi.org/10.1234/abcd",
                       env=env).stdout
    assert entry.startswith("@article{okonkwolindqvistDriftPaperBoats2024,")
    assert server.requests == [CROSSREF_WORK]
    arxiv = run_citels("bibtex", *common, "--online", "arXiv:2401.01234v2", env=env).stdout
    assert arxiv.startswith("@misc{vanderbergQuietGradientsTraining2024,")
    missing = run_citels("bibtex", *common, "--online", "10.1234/nobody", env=env,
                         check=False)
    assert missing.returncode == 1
    assert missing.stderr.strip() == ("citels: no paper with key or identifier"
                                      " '10.1234/nobody' in the index or online")
