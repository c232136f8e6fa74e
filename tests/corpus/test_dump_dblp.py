"""The DBLP XML reader: records, entities from dblp.dtd, markup in titles, bad XML."""

from __future__ import annotations

from dumps import DUMPS, compressed_copy

from citels.corpus.dblp import read_dblp
from citels.papers import Source

SAMPLE = DUMPS / "dblp-sample.xml"


def read(source=SAMPLE, label="dblp.xml"):
    warnings: list[str] = []
    return list(read_dblp(source, label, warnings)), warnings


def test_every_field_of_an_article_arrives_with_entities_resolved():
    paper = read()[0][0]
    # <i>k</i> and <sup>2</sup> keep their text; dblp's closing full stop goes.
    assert paper.title == "Counting k-Cliques in Sparse Graphs with O(n2) Memory"
    # &uuml; resolved, and dblp's homonym number "0002" is not part of the name.
    assert paper.authors == ["Jürgen Müller", "Sofía Sánchez"]
    assert paper.year == 2022
    assert paper.venue == "J. Fict. Graphs"
    assert paper.doi == "10.5555/jfx.2022.0102"
    assert paper.identifiers == {"dblp": "journals/jfx/MullerS22", "arxiv": "2201.00042"}
    assert paper.urls == ["https://doi.org/10.5555/jfx.2022.0102",
                          "https://arxiv.org/abs/2201.00042",
                          "https://dblp.org/rec/journals/jfx/MullerS22",
                          "https://dblp.org/db/journals/jfx/jfx14.html#MullerS22"]
    assert (paper.entry_type, paper.updated) == ("article", "2023-04-11")
    assert paper.sources == [Source("dblp.xml", 4)]


def test_each_publication_type_is_read_and_homepages_are_not():
    papers, _ = read()
    assert [(p.entry_type, p.title) for p in papers] == [
        ("article", "Counting k-Cliques in Sparse Graphs with O(n2) Memory"),
        ("inproceedings", "Why Do Queues Form?"),
        ("proceedings", "Proceedings of the Fictional Conference on Queues, FICT 2021, Oslo, "
                        "Norway"),
        ("phdthesis", "Queues Everywhere"),
    ]
    inproceedings, proceedings = papers[1], papers[2]
    assert (inproceedings.authors, inproceedings.venue) == (["Anaïs Dubois"], "FICT")
    assert proceedings.editors == ["Øystein Berg", "Kaja Nowak"]
    assert proceedings.identifiers == {"dblp": "conf/fict/2021", "isbn": "978-0-00-000000-2"}


def test_a_record_without_a_title_is_skipped_with_its_line():
    assert read()[1] == ["dblp.xml:47: a dblp incollection without a title; skipped"]


def test_the_gzipped_dump_streams_like_the_plain_file(tmp_path):
    packed = compressed_copy(SAMPLE, tmp_path / "dblp.xml.gz", "gzip")
    assert read(packed)[0] == read()[0]


def test_text_lines_read_like_the_file():
    with SAMPLE.open(encoding="latin-1") as lines:
        assert read(lines)[0] == read()[0]


def test_the_dtd_beside_the_dump_defines_its_entities(tmp_path):
    (tmp_path / "dblp.dtd").write_text('<!ENTITY gadget "Gädget">\n', encoding="utf-8")
    xml = SAMPLE.read_text(encoding="latin-1").replace("Why Do Queues", "Why &gadget; Queues")
    (tmp_path / "dblp.xml").write_text(xml, encoding="latin-1")
    papers, warnings = read(tmp_path / "dblp.xml")
    assert papers[1].title == "Why Gädget Queues Form?"


def test_an_entity_no_dtd_defines_is_kept_and_reported(tmp_path):
    xml = SAMPLE.read_text(encoding="latin-1").replace("Why Do Queues", "Why &nosuch; Queues")
    (tmp_path / "dblp.xml").write_text(xml, encoding="latin-1")
    papers, warnings = read(tmp_path / "dblp.xml")
    assert papers[1].title == "Why &nosuch; Queues Form?"
    assert "dblp.xml:23: &nosuch; is not an entity dblp.dtd defines; kept as written" in warnings


def test_xml_broken_midway_keeps_what_came_before_and_names_the_line(tmp_path):
    lines = SAMPLE.read_text(encoding="latin-1").splitlines(keepends=True)
    lines[21] = "<title>Why Do Queues Form?</titel>\n"
    broken = tmp_path / "dblp.xml"
    broken.write_text("".join(lines), encoding="latin-1")
    papers, warnings = read(broken)
    assert [p.entry_type for p in papers] == ["article"]
    assert warnings == ["dblp.xml:22: not well-formed XML (mismatched tag); "
                        "the rest of the file skipped"]


def test_an_indexed_dump_gets_its_entities_from_the_dtd_beside_it(tmp_path):
    # `citels index` streams the dump (compressed or not); the DTD beside it still counts.
    from citels.indexer import index_corpus
    from citels.store import Store

    (tmp_path / "dblp.dtd").write_text('<!ENTITY gadget "Gädget">\n', encoding="utf-8")
    xml = SAMPLE.read_text(encoding="latin-1").replace("Why Do Queues", "Why &gadget; Queues")
    (tmp_path / "dblp.xml").write_text(xml, encoding="latin-1")
    compressed_copy(tmp_path / "dblp.xml", tmp_path / "dblp.xml.gz", "gzip")
    for name in ("dblp.xml", "dblp.xml.gz"):
        store = Store(":memory:")
        index_corpus(store, [tmp_path / name])
        titles = {paper.title for paper in store.papers()}
        assert "Why Gädget Queues Form?" in titles
