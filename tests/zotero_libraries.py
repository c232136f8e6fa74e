"""Two Zotero data directories for the tests: the current era and Zotero 7 + Better BibTeX 7.

Both hold the same papers, numbered differently; what differs is where the keys live and
the journal mode. Each holds, besides the papers, what must never be offered: notes,
attachments, annotations, trashed items and feed items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from zotero_fixtures import Numbering, ZoteroBuilder, write_better_bibtex

# Title as citels shows it -> the key the user sees in Zotero (None: citels gives one).
KEYS = {
    "CO2 capture with metal–organic frameworks in E. coli": "smith2019co2",
    "Attention Is All You Need": "vaswani2017attention",
    "Global report on infection prevention": "who2020global",
    "Graph kernels revisited": "borgwardt2012graph",
    "Learning to rank citations": "lee2021learning",
    "Energy use of small data centres": "ieaEnergy2018",
    "A preprint about sparse transformers": "child2024sparse",
    "The citels manual": "citelsManual",
    "citels": "citels2025",
    "An item nobody keyed": None,
    "Shared reading on graph neural networks": "group2023gnn",
    "Literate programming": "knuth1984literate",
}
ABSENT = ("A retracted draft", "Full Text PDF", "An item from a news feed", "My reading note",
          "highlighted words")


@dataclass
class Fixture:
    """A built data directory and what the tests need to know about it."""

    directory: Path
    database: Path
    personal: int
    group: int
    ids: dict[str, int] = field(default_factory=dict)  # title -> itemID
    builder_numbering: Numbering = field(default_factory=Numbering)


def current_library(directory: Path) -> Fixture:
    """Zotero 8/9 with Better BibTeX 8: WAL mode, keys in Zotero's own citationKey field."""
    numbering = Numbering()
    builder = ZoteroBuilder(directory / "zotero.sqlite", numbering, wal=True, native_keys=True)
    fixture = _fill(builder, directory, personal=1, group=2, read_only=3, feed=4,
                    native_keys=True)
    fixture.builder_numbering = numbering
    builder.close()
    return fixture


def zotero7_library(directory: Path) -> Fixture:
    """Zotero 7 with Better BibTeX 7: rollback journal, keys in better-bibtex.sqlite."""
    numbering = Numbering(first_type=40, first_field=300, first_creator_type=11,
                          first_item=5001, reverse=True)
    builder = ZoteroBuilder(directory / "zotero.sqlite", numbering, wal=False,
                            native_keys=False)
    fixture = _fill(builder, directory, personal=1, group=7, read_only=9, feed=3,
                    native_keys=False)
    fixture.builder_numbering = numbering
    rows = [(item_id, builder.item_key(item_id), _library(builder, item_id), key)
            for title, item_id in fixture.ids.items()
            if (key := KEYS.get(title)) and title != "Literate programming"]
    # A key for a trashed item, and one for another library's item with the same item key:
    # neither may reach a paper.
    rows.append((fixture.ids["A retracted draft"], builder.item_key(fixture.ids[
        "A retracted draft"]), 1, "retracted2020draft"))
    builder.close()
    write_better_bibtex(directory, rows)
    return fixture


def _library(builder: ZoteroBuilder, item_id: int) -> int:
    return builder.connection.execute("SELECT libraryID FROM items WHERE itemID = ?",
                                      (item_id,)).fetchone()[0]


def _fill(b: ZoteroBuilder, directory: Path, *, personal: int, group: int, read_only: int,
          feed: int, native_keys: bool) -> Fixture:
    b.add_library(personal, "user")
    b.add_library(group, "group", "Lab Reading Group")
    b.add_library(read_only, "group", "Classics (read-only)", editable=False)
    b.add_library(feed, "feed", "Journal feed")
    fixture = Fixture(directory, b.path, personal, group)
    ids = fixture.ids

    def paper(library: int, kind: str, fields: dict[str, str],
              creators: list[tuple[str, ...]], title: str, **options: object) -> int:
        key = KEYS.get(title)
        if native_keys and key and "Citation Key" not in fields.get("extra", ""):
            fields = {**fields, "citationKey": key}
        ids[title] = b.add_item(library, kind, fields, creators, **options)  # type: ignore
        return ids[title]

    thesis = b.add_collection(personal, "Thesis")
    chapter = b.add_collection(personal, "Chapter 2", parent=thesis)
    old = b.add_collection(personal, "Old stuff")
    b.trash_collection(old)
    article = paper(personal, "journalArticle", {
        "title": "CO<sub>2</sub> capture with <i>metal–organic</i> frameworks in "
                 '<span class="nocase">E. coli</span>',
        "abstractNote": "We capture carbon dioxide with porous crystals.",
        "publicationTitle": "Journal of Porous Materials", "volume": "12", "issue": "3",
        "pages": "100-110", "date": "2019-03-00 March 2019", "DOI": "10.1000/jpm.2019.12",
        "ISSN": "1234-5678", "language": "en", "url": "https://example.org/co2"},
        [("author", "Smith", "Jane"), ("author", "Müller", "Jörg")],
        "CO2 capture with metal–organic frameworks in E. coli")
    b.file(article, chapter)
    b.file(article, old)
    paper(personal, "conferencePaper", {
        "title": "Attention Is All You Need",
        "proceedingsTitle": "Advances in Neural Information Processing Systems",
        "date": "2017-12-04 2017-12-04", "pages": "5998–6008", "publisher": "Curran",
        "extra": "arXiv: 1706.03762\nPublisher: ignored"},
        [("editor", "Guyon", "Isabelle"), ("author", "Vaswani", "Ashish"),
         ("author", "Shazeer", "Noam")], "Attention Is All You Need")
    paper(personal, "book", {
        "title": "Global report on infection prevention", "publisher": "WHO Press",
        "place": "Geneva", "date": "2020-00-00 2020", "ISBN": "978-92-4-000000-1"},
        [("author", "World Health Organization")], "Global report on infection prevention")
    paper(personal, "bookSection", {
        "title": "Graph kernels revisited", "bookTitle": "Handbook of Graph Learning",
        "pages": "1-30", "publisher": "Springer", "date": "2012-00-00 2012"},
        [("author", "Borgwardt", "Karsten"), ("editor", "Doe", "John")],
        "Graph kernels revisited")
    report = paper(personal, "report", {
        "title": "Energy use of small data centres", "institution": "IEA",
        "reportNumber": "TR-42", "reportType": "Technical note", "date": "2018"},
        [("author", "International Energy Agency")], "Energy use of small data centres")
    b.mark_retracted(report)
    paper(personal, "thesis", {
        "title": "Learning to rank citations", "thesisType": "Master's thesis",
        "university": "University of Somewhere", "date": "2021-06-15 15/06/2021"},
        [("author", "Lee", "Min")], "Learning to rank citations")
    paper(personal, "preprint", {
        "title": "A preprint about sparse transformers", "repository": "arXiv",
        "archiveID": "arXiv:2401.01234", "date": "2024-01-03 2024-01-03",
        "url": "https://arxiv.org/abs/2401.01234v2"},
        [("author", "Child", "Rewon")], "A preprint about sparse transformers")
    paper(personal, "webpage", {
        "title": "The citels manual", "websiteTitle": "citels documentation",
        "url": "https://example.org/citels", "date": "2025-02-00 February 2025"},
        [], "The citels manual")
    paper(personal, "computerProgram", {"title": "citels", "company": "citels project",
                                         "versionNumber": "1.0", "date": "2025"},
          [("programmer", "Doe", "Jane")], "citels")
    nobody = paper(personal, "journalArticle", {"title": "An item nobody keyed",
                                                "date": "2001-00-00 2001"}, [],
                   "An item nobody keyed")
    b.file(nobody, thesis)
    paper(group, "journalArticle", {
        "title": "Shared reading on graph neural networks",
        "publicationTitle": "Graph Letters", "date": "2023-00-00 2023"},
        [("author", "Kipf", "Thomas")], "Shared reading on graph neural networks",
        key=b.item_key(article))  # the same item key as a personal item: keys stay apart
    reading = b.add_collection(group, "Reading")
    b.file(ids["Shared reading on graph neural networks"], reading)
    # Read-only group: Zotero leaves `Citation Key:` lines in Extra there.
    paper(read_only, "book", {"title": "Literate programming", "date": "1984-00-00 1984",
                              "extra": "Citation Key: knuth1984literate\nLCCN: 84-123"},
          [("author", "Knuth", "Donald E.")], "Literate programming")

    # What is not a paper.
    ids["My reading note"] = b.add_note(personal, article, "My reading note")
    b.add_note(personal, None, "A standalone note")
    pdf = ids["Full Text PDF"] = b.add_attachment(personal, article, "Full Text PDF")
    ids["highlighted words"] = b.add_annotation(personal, pdf, "highlighted words")
    draft = paper(personal, "journalArticle", {"title": "A retracted draft"}, [],
                  "A retracted draft")
    b.trash(draft)
    news = paper(feed, "journalArticle", {"title": "An item from a news feed"}, [],
                 "An item from a news feed")
    b.mark_feed_item(news)
    return fixture
