"""Read DBLP's XML dump (dblp.xml, or dblp.xml.gz) record by record, in bounded memory.

dblp.xml is one <dblp> element holding millions of records (article, inproceedings,
proceedings, book, incollection, phdthesis, mastersthesis; www, person and data are not
papers). It writes every non-ASCII letter as a named entity (&uuml;) that only its DTD,
dblp.dtd, defines. The DTD beside the file is used when it is there; otherwise the same
names, which are the ISO Latin-1 (HTML) entity names, come from `html.entities`. Records
are parsed with expat a chunk at a time and built as each one closes, so nothing of the
file is held but the record being read.
"""

from __future__ import annotations

import html.entities
import io
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.parsers import expat

from citels.corpus import values
from citels.corpus.json_records import Warnings
from citels.corpus.streams import open_bytes
from citels.papers import Paper, Source

RECORD_TYPES = frozenset({"article", "inproceedings", "proceedings", "book", "incollection",
                          "phdthesis", "mastersthesis"})
RECORD_PAGE = "https://dblp.org/rec/"
_SITE = "https://dblp.org/"
_CHUNK = 1 << 20
# dblp tells apart people of one name by a four-digit number: "Wei Wang 0001".
_HOMONYM_NUMBER = re.compile(r"\s+\d{4}$")
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/(10\..+)$", re.IGNORECASE)
_ARXIV_URL = re.compile(r"^https?://arxiv\.org/abs/(.+?)(?:v\d+)?$", re.IGNORECASE)
_XML_NAMES = {"amp", "lt", "gt", "quot", "apos"}  # predefined by XML itself
_ENTITY_DTD = "\n".join(
    f'<!ENTITY {name} "&#{code};">'
    for name, code in sorted(html.entities.name2codepoint.items()) if name not in _XML_NAMES
).encode("ascii")

DblpSource = str | os.PathLike[str] | IO[bytes] | Iterable[str]


@dataclass
class _Record:
    kind: str
    key: str
    mdate: str | None
    line: int
    fields: list[tuple[str, str]] = field(default_factory=list)


def read_dblp(source: DblpSource, label: str, warnings: list[str],
              folder: Path | None = None) -> Iterator[Paper]:
    """Yield a paper for each publication record of a DBLP XML dump, lazily.

    `source` is a path (compressed or not), a binary stream, or text lines; `folder` is
    where a stream's dblp.dtd may be (a path's own folder is looked in). XML that is
    not well-formed ends the reading with a warning naming file and line (XML has no next
    record to resume from); a record without a title is skipped with a warning.
    """
    sink = Warnings(label, warnings)
    with ExitStack() as stack:
        chunks, encoding, own_folder = _chunks(source, stack)
        reader = _RecordReader(encoding, own_folder or folder)
        try:
            for chunk in chunks:
                reader.parser.Parse(chunk, False)
                yield from _papers(reader, label, sink)
            reader.parser.Parse(b"", True)
            yield from _papers(reader, label, sink)
        except expat.ExpatError as error:
            yield from _papers(reader, label, sink)
            sink.add(error.lineno, f"not well-formed XML ({expat.ErrorString(error.code)}); "
                     "the rest of the file skipped")
        finally:
            sink.close()


def _chunks(source: DblpSource, stack: ExitStack
            ) -> tuple[Iterator[bytes], str | None, Path | None]:
    """The source's bytes in chunks, the encoding to force (text lines), its folder."""
    if isinstance(source, str | os.PathLike):
        stream = stack.enter_context(open_bytes(source))
        return iter(lambda: stream.read(_CHUNK), b""), None, Path(source).parent
    if hasattr(source, "read") and not isinstance(source, io.TextIOBase):
        binary: IO[bytes] = source  # type: ignore[assignment]
        return iter(lambda: binary.read(_CHUNK), b""), None, None
    # Text lines are decoded already: whatever the XML declaration says, they are now UTF-8.
    return (line.encode("utf-8") for line in source), "utf-8", None  # type: ignore[union-attr]


class _RecordReader:
    """An expat parser that collects each publication record as it closes."""

    def __init__(self, encoding: str | None, folder: Path | None) -> None:
        self.parser = expat.ParserCreate(encoding)
        self.parser.buffer_text = True
        self.folder = folder
        self.done: list[_Record] = []
        self._depth = 0
        self._record: _Record | None = None
        self._field: str | None = None
        self._text: list[str] = []
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_ALWAYS)
        self.parser.UseForeignDTD(True)
        self.parser.ExternalEntityRefHandler = self._load_dtd
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._characters
        self.parser.SkippedEntityHandler = self._unknown_entity
        self.unknown_entities: dict[str, int] = {}  # name → the line it was first met on

    def _load_dtd(self, context: str | None, base: str | None, system_id: str | None,
                  public_id: str | None) -> int:
        """Define the entities: from dblp.dtd beside the file if it is there, else the table."""
        dtd = _ENTITY_DTD
        if system_id and self.folder is not None:
            beside = self.folder / Path(system_id).name
            if beside.is_file():
                dtd = beside.read_bytes()
        self.parser.ExternalEntityParserCreate(context).Parse(dtd, True)
        return 1

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        self._depth += 1
        if self._depth == 2 and name in RECORD_TYPES:
            self._record = _Record(name, attributes.get("key", ""), attributes.get("mdate"),
                                   self.parser.CurrentLineNumber)
        elif self._depth == 3 and self._record is not None:
            self._field, self._text = name, []

    def _characters(self, data: str) -> None:
        if self._field is not None:
            self._text.append(data)  # markup inside a field (<i>, <sub>) keeps its text

    def _unknown_entity(self, name: str, is_parameter: bool) -> None:
        """An entity the DTD does not define is kept as written, and reported once."""
        if not is_parameter:
            self._characters(f"&{name};")
            self.unknown_entities.setdefault(name, self.parser.CurrentLineNumber)

    def _end(self, name: str) -> None:
        if self._depth == 3 and self._field is not None and self._record is not None:
            self._record.fields.append((self._field, "".join(self._text)))
            self._field = None
        elif self._depth == 2 and self._record is not None:
            self.done.append(self._record)
            self._record = None
        self._depth -= 1


def _papers(reader: _RecordReader, label: str, sink: Warnings) -> Iterator[Paper]:
    records, reader.done = reader.done, []
    for name, line in reader.unknown_entities.items():
        if line:
            sink.add(line, f"&{name}; is not an entity dblp.dtd defines; kept as written")
            reader.unknown_entities[name] = 0  # reported
    for record in records:
        paper = dblp_paper(record.kind, record.key, record.mdate, record.fields,
                           Source(label, record.line))
        if paper is None:
            sink.add(record.line, f"a dblp {record.kind} without a title; skipped")
        else:
            yield paper


def dblp_paper(kind: str, key: str, mdate: str | None, fields: list[tuple[str, str]],
               source: Source) -> Paper | None:
    """The paper one dblp record describes, from its (element, text) fields in order."""
    first: dict[str, str] = {}
    for name, value in fields:
        first.setdefault(name, value)
    title = _title(first.get("title"))
    if not title:
        return None
    links = [url.strip() for name, url in fields if name == "ee" and url.strip()]
    doi = next((match[1] for url in links if (match := _DOI_URL.match(url))), None)
    arxiv = next((match[1] for url in links if (match := _ARXIV_URL.match(url))), None)
    year = values.year(first.get("year"))
    identifiers = {"dblp": key} if key else {}
    if arxiv:
        identifiers["arxiv"] = arxiv
    if isbn := values.one_line(first.get("isbn")):
        identifiers["isbn"] = isbn
    return Paper(
        title=title,
        year=year,
        authors=_people(fields, "author"),
        editors=_people(fields, "editor"),
        urls=list(dict.fromkeys(links + _dblp_pages(key, first.get("url")))),
        sources=[source],
        entry_type=kind,
        venue=values.one_line(first.get("journal") or first.get("booktitle")),
        doi=doi,
        identifiers=identifiers,
        updated=values.day(mdate),
    )


def _title(raw: str | None) -> str | None:
    title = values.one_line(raw)
    # dblp ends every title with a full stop of its own; "et al..." keeps its dots.
    if title and title.endswith(".") and not title.endswith(".."):
        title = title[:-1].rstrip()
    return title or None


def _people(fields: list[tuple[str, str]], role: str) -> list[str]:
    names = (values.one_line(value) for name, value in fields if name == role)
    return [_HOMONYM_NUMBER.sub("", name) for name in names if name]


def _dblp_pages(key: str, url: str | None) -> list[str]:
    """The record's own dblp page, then its table-of-contents page (a site-relative URL)."""
    pages = [RECORD_PAGE + key] if key else []
    url = (url or "").strip()
    if url:
        pages.append(url if "://" in url else _SITE + url.lstrip("/"))
    return pages
