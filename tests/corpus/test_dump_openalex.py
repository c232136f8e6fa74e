"""The OpenAlex works reader: fields, the abstract rebuilt in order, snapshot folders."""

from __future__ import annotations

import shutil

from dumps import DUMPS, compressed_copy

from citels.corpus.openalex import read_openalex, rebuilt_abstract
from citels.papers import Source

WORKS = DUMPS / "openalex-works.jsonl"


def read(source=WORKS, label="works.jsonl"):
    warnings: list[str] = []
    return list(read_openalex(source, label, warnings)), warnings


def test_every_field_of_a_work_arrives():
    paper = read()[0][0]
    assert paper.title == "Tidal Sediment Transport in Shallow Estuaries"
    assert paper.abstract == "Sediment moves with the tide and the wind."
    # An authorship without an author record still has the name as printed.
    assert paper.authors == ["Marta Vilanova", "Tomasz Żak", "Ngozi Eze"]
    assert (paper.date, paper.year, paper.month) == ("2022-06-14", 2022, 6)
    assert paper.venue == "Journal of Coastal Processes"
    assert paper.doi == "10.5555/opal.2022.14"
    assert paper.identifiers == {"openalex": "W4000000001", "pmid": "35000001",
                                 "pmcid": "PMC9100001", "mag": "3190000001"}
    assert paper.urls == ["https://doi.org/10.5555/opal.2022.14"]
    assert (paper.entry_type, paper.language) == ("article", "en")
    assert paper.updated == "2024-01-31"
    assert paper.retracted is False
    assert paper.sources == [Source("works.jsonl", 1)]


def test_a_retracted_work_is_marked_and_its_display_name_is_the_title():
    paper = read()[0][1]
    assert paper.retracted is True
    assert paper.title == "A Withdrawn Survey of Sand Ripples"
    assert paper.abstract is None and paper.venue is None
    assert paper.urls == ["https://openalex.org/W4000000002"]


def test_the_inverted_index_is_read_in_position_order_whatever_its_key_order():
    index = {"b": [1, 3], "a": [0], "c": [2], "end.": [4]}
    assert rebuilt_abstract(index) == "a b c b end."
    assert rebuilt_abstract({}) is None and rebuilt_abstract(None) is None


def test_a_line_that_is_not_a_work_is_skipped_with_its_line():
    papers, warnings = read()
    assert len(papers) == 2
    assert warnings == ["works.jsonl:2: a JSON list, not an object; skipped"]


def test_a_snapshot_folder_reads_every_part_in_date_order(tmp_path):
    snapshot = tmp_path / "works"
    compressed_copy(WORKS, snapshot / "updated_date=2024-02-01" / "part_000.gz", "gzip")
    compressed_copy(WORKS, snapshot / "updated_date=2023-12-01" / "part_000.gz", "gzip")
    compressed_copy(WORKS, snapshot / "updated_date=2023-12-01" / "part_001.gz", "gzip")
    shutil.copy(WORKS, snapshot / "manifest")  # not a part: not read
    papers, _ = read(snapshot, "works")
    assert [str(p.sources[0]) for p in papers] == [
        f"works/updated_date={day}/{part}:{line}"
        for day, part in [("2023-12-01", "part_000.gz"), ("2023-12-01", "part_001.gz"),
                          ("2024-02-01", "part_000.gz")]
        for line in (1, 3)
    ]
