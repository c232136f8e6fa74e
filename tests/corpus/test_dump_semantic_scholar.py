"""The Semantic Scholar reader: papers joined to their abstracts by corpus id."""

from __future__ import annotations

from dumps import DUMPS, compressed_copy

from citels.corpus.semantic_scholar import read_semantic_scholar
from citels.papers import Source

PAPERS = DUMPS / "s2-papers.jsonl"
ABSTRACTS = DUMPS / "s2-abstracts.jsonl"


def read(source=PAPERS, label="papers.jsonl", **options):
    warnings: list[str] = []
    return list(read_semantic_scholar(source, label, warnings, **options)), warnings


def test_every_field_of_a_paper_arrives_with_its_abstract(tmp_path):
    paper = read(abstracts=[ABSTRACTS], scratch_dir=tmp_path)[0][0]
    assert paper.title == "Counting Birds from Drone Audio"
    assert paper.abstract == "We count birds from the sound a drone records, without seeing them."
    assert paper.authors == ["Chidi Okafor", "Lena Lindqvist"]
    assert (paper.date, paper.year, paper.month) == ("2023-05-02", 2023, 5)
    assert paper.venue == "Workshop on Ecological Listening"
    assert paper.doi == "10.5555/xyz.2023.55"
    assert paper.identifiers == {"s2": "900001", "arxiv": "2305.00001", "pmid": "37000001",
                                 "pmcid": "PMC10100001", "dblp": "conf/xyz/OkaforL23",
                                 "mag": "4300000001"}
    assert paper.urls == [
        "https://www.semanticscholar.org/paper/0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f"]
    assert paper.entry_type == "inproceedings"
    assert paper.tags == ["Computer Science", "Biology"]
    assert paper.sources == [Source("papers.jsonl", 1)]


def test_a_journal_paper_takes_the_journal_name_when_the_venue_is_empty(tmp_path):
    paper = read(abstracts=[ABSTRACTS], scratch_dir=tmp_path)[0][1]
    assert (paper.venue, paper.entry_type, paper.year, paper.date) == (
        "Rock Biology", "article", 1998, None)
    assert paper.abstract == "Lichens colonise fresh basalt within a decade."


def test_without_the_abstracts_dataset_papers_still_read(tmp_path):
    papers, warnings = read(scratch_dir=tmp_path)
    assert [p.abstract for p in papers] == [None, None]
    assert warnings == ["papers.jsonl:2: not valid JSON (Expecting value at column 30); skipped"]


def test_the_scratch_table_is_deleted_when_reading_ends(tmp_path):
    read(abstracts=[ABSTRACTS], scratch_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_of_both_datasets_is_told_apart_by_content_and_joined(tmp_path):
    folder = tmp_path / "s2"
    compressed_copy(PAPERS, folder / "papers" / "20240101_000", "gzip")
    compressed_copy(ABSTRACTS, folder / "abstracts" / "20240101_000", "gzip")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    papers, _ = read(folder, "s2", scratch_dir=scratch)
    assert [p.abstract is not None for p in papers] == [True, True]
    assert str(papers[0].sources[0]) == "s2/papers/20240101_000:1"


def test_graph_api_names_read_too(tmp_path):
    line = ('{"corpusId": 5, "externalIds": {"DOI": "10.5555/api.5"}, "title": "From the API",'
            ' "publicationDate": "2020-02-03", "publicationTypes": ["JournalArticle"],'
            ' "abstract": "Given inline."}\n')
    (paper,), _ = read([line], scratch_dir=tmp_path)
    assert (paper.identifiers, paper.doi, paper.date, paper.entry_type, paper.abstract) == (
        {"s2": "5"}, "10.5555/api.5", "2020-02-03", "article", "Given inline.")
