"""Read Semantic Scholar's datasets: "papers" joined to "abstracts" by corpus id.

A papers record has corpusid, externalids {DOI, ArXiv, PubMed, PubMedCentral, DBLP, MAG,
ACL, CorpusId}, url, title, authors [{authorId, name}], venue, year, publicationdate,
publicationtypes, journal {name, volume, pages} and s2fieldsofstudy; an abstracts record
has corpusid and abstract. The two datasets are separate files of a hundred million lines
in no common order, so the abstracts are put in a scratch SQLite table on disk (not a dict
in memory) and looked up as the papers stream past. The Graph API's camelCase names
(corpusId, externalIds, ...) are read too.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from citels.corpus import values
from citels.corpus.json_records import Warnings, json_objects
from citels.corpus.streams import DumpFormat, TextSource, sniff
from citels.papers import Paper, Source

# Semantic Scholar publication types → BibTeX entry types (the first known one wins).
_ENTRY_TYPES = {"JournalArticle": "article", "Review": "article", "Conference": "inproceedings",
                "Book": "book", "BookSection": "incollection", "Dataset": "misc"}
# externalids names → the paper model's identifier schemes.
_SCHEMES = {"ArXiv": "arxiv", "PubMed": "pmid", "PubMedCentral": "pmcid", "DBLP": "dblp",
            "MAG": "mag", "ACL": "acl"}
_BATCH = 10_000


class AbstractsTable:
    """Abstracts by corpus id, in a scratch SQLite database deleted on close."""

    def __init__(self, scratch_dir: str | os.PathLike[str] | None = None) -> None:
        import sqlite_utils  # here: only a Semantic Scholar run needs it

        self._folder = tempfile.mkdtemp(prefix="citels-s2-", dir=scratch_dir)
        self._db = sqlite_utils.Database(Path(self._folder) / "abstracts.sqlite3")
        # A scratch table: losing it to a crash costs nothing, so no journal and no syncing.
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.table("abstracts").create({"corpusid": int, "abstract": str}, pk="corpusid")

    def load(self, source: TextSource, label: str, warnings: list[str]) -> None:
        """Add the abstracts of one abstracts-dataset file (a later one replaces an earlier)."""
        sink = Warnings(label, warnings)
        rows = _abstract_rows(json_objects(source, sink), sink)
        self._db.table("abstracts").insert_all(rows, pk="corpusid", replace=True, batch_size=_BATCH)
        sink.close()

    def get(self, corpus_id: int) -> str | None:
        """The abstract of a corpus id, if one was loaded."""
        # The connection itself: its statement cache saves a parse per paper.
        row = self._db.conn.execute("SELECT abstract FROM abstracts WHERE corpusid = ?",
                                    (corpus_id,)).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        """Delete the scratch database."""
        self._db.close()
        shutil.rmtree(self._folder, ignore_errors=True)

    def __enter__(self) -> AbstractsTable:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_semantic_scholar(source: TextSource, label: str, warnings: list[str], *,
                          abstracts: Sequence[str | os.PathLike[str]] = (),
                          scratch_dir: str | os.PathLike[str] | None = None) -> Iterator[Paper]:
    """Yield a paper for each record of the papers dataset, with its abstract joined in.

    `source` is a papers file (or lines), or a folder holding papers and abstracts files
    (told apart by content; each sourced as `label/relative path`); `abstracts` names
    more abstracts files. The scratch table goes in `scratch_dir` (the system's temporary
    folder by default) and is deleted when the reading ends.
    """
    papers: list[tuple[TextSource, str]] = [(source, label)]
    abstract_files = [(Path(path), str(path)) for path in abstracts]
    if isinstance(source, str | os.PathLike) and Path(source).is_dir():
        folder = Path(source)
        dump = sniff(folder)
        found = dump if dump and dump.format == DumpFormat.S2_PAPERS else None
        papers = [(path, f"{label}/{path.relative_to(folder).as_posix()}")
                  for path in (found.files if found else [])]
        abstract_files += [(path, f"{label}/{path.relative_to(folder).as_posix()}")
                           for path in (found.abstracts if found else [])]
    with AbstractsTable(scratch_dir) as table:
        for path, path_label in abstract_files:
            table.load(path, path_label, warnings)
        for papers_source, papers_label in papers:
            yield from read_s2_papers(papers_source, papers_label, warnings, table)


def read_s2_papers(source: TextSource, label: str, warnings: list[str],
                   abstracts: AbstractsTable | None = None) -> Iterator[Paper]:
    """Yield a paper for each record of one papers-dataset file, abstracts looked up."""
    sink = Warnings(label, warnings)
    try:
        for line, record in json_objects(source, sink):
            paper = s2_paper(record, Source(label, line))
            if paper is None:
                sink.add(line, "a Semantic Scholar paper without a corpus id or a title; "
                         "skipped")
                continue
            if paper.abstract is None and abstracts is not None:
                paper.abstract = abstracts.get(int(paper.identifiers["s2"]))
            yield paper
    finally:
        sink.close()


def s2_paper(record: dict[str, Any], source: Source) -> Paper | None:
    """The paper a papers-dataset record describes (abstract only if it carries one)."""
    corpus_id = _corpus_id(_field(record, "corpusid", "corpusId"))
    title = values.text(record.get("title"))
    if corpus_id is None or not title:
        return None
    external = _field(record, "externalids", "externalIds")
    external = external if isinstance(external, dict) else {}
    date, year, month = values.iso_date(_field(record, "publicationdate", "publicationDate"))
    journal = record.get("journal")
    journal_name = values.one_line(journal.get("name")) if isinstance(journal, dict) else None
    url = values.text(record.get("url"))
    return Paper(
        title=title,
        abstract=values.text(record.get("abstract")),
        date=date,
        year=values.year(record.get("year")) or year,
        month=month,
        authors=[name for author in record.get("authors") or [] if isinstance(author, dict)
                 and (name := values.one_line(author.get("name")))],
        urls=[url] if url else [],
        sources=[source],
        entry_type=_entry_type(_field(record, "publicationtypes", "publicationTypes")),
        venue=values.one_line(record.get("venue")) or journal_name,
        doi=values.clean_doi(external.get("DOI")),
        identifiers=_identifiers(corpus_id, external),
        tags=_fields_of_study(_field(record, "s2fieldsofstudy", "s2FieldsOfStudy")),
    )


def _abstract_rows(objects: Iterable[tuple[int, dict[str, Any]]], sink: Warnings
                   ) -> Iterator[dict[str, Any]]:
    for line, record in objects:
        corpus_id = _corpus_id(_field(record, "corpusid", "corpusId"))
        abstract = values.text(record.get("abstract"))
        if corpus_id is None:
            sink.add(line, "an abstract without a corpus id; skipped")
        elif abstract:
            yield {"corpusid": corpus_id, "abstract": abstract}


def _field(record: dict[str, Any], name: str, api_name: str) -> Any:
    return record.get(name, record.get(api_name))


def _corpus_id(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _entry_type(types: object) -> str:
    for name in types if isinstance(types, list) else []:
        if name in _ENTRY_TYPES:
            return _ENTRY_TYPES[name]
    return "misc"


def _identifiers(corpus_id: int, external: dict[str, Any]) -> dict[str, str]:
    identifiers = {"s2": str(corpus_id)}
    for name, scheme in _SCHEMES.items():
        value = external.get(name)
        if isinstance(value, int | str) and not isinstance(value, bool) and str(value).strip():
            value = str(value).strip()
            # The PMC id is written as a number, but is named PMC… everywhere else.
            identifiers[scheme] = "PMC" + value if scheme == "pmcid" and value.isdigit() \
                else value
    return identifiers


def _fields_of_study(fields: object) -> list[str]:
    names = [field.get("category") for field in fields if isinstance(field, dict)] \
        if isinstance(fields, list) else []
    return list(dict.fromkeys(name for name in names if isinstance(name, str) and name))
