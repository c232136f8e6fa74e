"""The mapped JSON Lines / JSON array reader and the --map syntax."""

from __future__ import annotations

import json

import pytest
from dumps import DUMPS

from citels.corpus.json_lines import (
    DEFAULT_MAPPING,
    MappingError,
    lookup,
    parse_mapping,
    read_json_lines,
)
from citels.papers import Source

LIST = DUMPS / "venue-list.jsonl"


def read(source=LIST, mapping=None):
    warnings: list[str] = []
    return list(read_json_lines(source, "list.jsonl", warnings, mapping)), warnings


def test_a_venue_list_reads_with_the_default_mapping():
    papers, warnings = read()
    first, second = papers
    assert first.title == "Listening to Glaciers Calve"
    assert first.abstract == "Hydrophones near a glacier front hear each calving event."
    assert first.authors == ["Saga Nilsson", "Tupaq Quispe"]
    assert (first.year, first.venue) == (2024, "fict")  # the year written as a string
    assert first.urls == ["https://example.org/forum?id=abc123"]
    assert first.identifiers == {"id": "abc123"}
    assert first.sources == [Source("list.jsonl", 1)]
    assert (second.abstract, second.doi) == (None, "10.5555/2023.fict-1.7")
    assert warnings == ["list.jsonl:2: no title or abstract at 'title' or 'abstract'; skipped"]


def test_a_mapping_reaches_into_nested_objects_and_through_lists():
    record = {"work": {"name": "Deep Title", "summary": {"text": "Deep abstract."},
                       "people": [{"who": {"full": "A One"}}, {"who": {"full": "B Two"}}],
                       "published": "2019-07-08", "ids": {"pubmed": 123},
                       "kind": "InProceedings", "labels": "geo, ice"}}
    mapping = parse_mapping("title=work.name,abstract=work.summary.text,"
                            "authors=work.people.who.full,date=work.published,"
                            "ids.pmid=work.ids.pubmed,type=work.kind,tags=work.labels")
    (paper,), _ = read([json.dumps(record)], mapping)
    assert (paper.title, paper.abstract) == ("Deep Title", "Deep abstract.")
    assert paper.authors == ["A One", "B Two"]
    assert (paper.date, paper.year, paper.month) == ("2019-07-08", 2019, 7)
    assert paper.identifiers == {"pmid": "123"}
    assert (paper.entry_type, paper.tags) == ("inproceedings", ["geo", "ice"])


def test_a_json_array_reads_element_by_element_with_lines():
    text = '[\n  {"title": "One",\n   "authors": "A. Be and C. De"},\n  {"title": "Two"}\n]\n'
    papers, warnings = read(text.splitlines(keepends=True))
    assert [(p.title, p.sources[0].line) for p in papers] == [("One", 2), ("Two", 4)]
    assert papers[0].authors == ["A. Be", "C. De"]
    assert warnings == []


def test_a_handle_written_as_the_doi_is_kept_as_a_link():
    (paper,), _ = read(['{"title": "T", "doi": "http://hdl.handle.net/2065/121"}'])
    assert (paper.doi, paper.urls) == (None, ["http://hdl.handle.net/2065/121"])


def test_parse_mapping_lays_pairs_over_the_default_and_can_drop_one():
    mapping = parse_mapping(" title = ti , venue= ")
    assert mapping["title"] == "ti" and "venue" not in mapping
    assert mapping["abstract"] == DEFAULT_MAPPING["abstract"]
    assert parse_mapping("") == DEFAULT_MAPPING


@pytest.mark.parametrize(("text", "message"), [
    ("title", "'title' is not field=path"),
    ("titel=name", "'titel' is not a paper field"),
    ("ids.Bad-Scheme=x", "'ids.Bad-Scheme' is not a paper field"),
    ("title=a..b", "'a..b' (for title) has an empty step between dots"),
])
def test_parse_mapping_says_what_is_wrong(text, message):
    with pytest.raises(MappingError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_mapping(text)


def test_lookup_gives_none_for_a_path_that_is_not_there():
    assert lookup({"a": {"b": 1}}, "a.c") is None
    assert lookup({"a": 5}, "a.b") is None
    assert lookup({"a": [{"b": 1}, {"c": 2}, {"b": 3}]}, "a.b") == [1, 3]
