"""Build small Zotero data directories at test time, laid out as Zotero's schema lays them out.

Only the tables and columns citels reads (and the ones that tell papers from the rest) are
written, under their names in Zotero's schema (`userdata.sql`; item types, fields and their
base fields as in the zotero-schema `schema.json`). Ids are numbered by a `Numbering`, so
two fixtures number item types, fields and creator types differently, as an old library
and a fresh one do.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from itertools import count
from pathlib import Path

# Item type -> its fields (a type-specific field as "name>base") and creator types (the
# primary one marked with *). A subset of Zotero's, with the real names.
ITEM_TYPES: dict[str, tuple[str, str]] = {
    "journalArticle": ("title abstractNote publicationTitle volume issue pages date series"
                       " journalAbbreviation DOI ISSN PMID url accessDate language extra",
                       "author* editor contributor"),
    "conferencePaper": ("title abstractNote proceedingsTitle>publicationTitle conferenceName"
                        " publisher place date volume pages DOI ISBN url language extra",
                        "author* editor contributor"),
    "book": ("title abstractNote series volume edition date publisher place numPages ISBN url"
             " language extra", "author* editor contributor translator"),
    "bookSection": ("title abstractNote bookTitle>publicationTitle edition date publisher place"
                    " pages ISBN url language extra", "author* editor bookAuthor"),
    "thesis": ("title abstractNote thesisType>type university>publisher place date numPages url"
               " language extra", "author* contributor"),
    "report": ("title abstractNote reportNumber>number reportType>type institution>publisher"
               " place date pages url language extra", "author* editor"),
    "preprint": ("title abstractNote genre>type repository>publisher archiveID>number date DOI"
                 " url language extra", "author* editor"),
    "webpage": ("title abstractNote websiteTitle>publicationTitle websiteType>type date url"
                " language extra", "author*"),
    "computerProgram": ("title abstractNote company>publisher versionNumber date url extra",
                        "programmer* contributor"),
    "note": ("", ""),
    "attachment": ("title url accessDate", ""),
    "annotation": ("", ""),
}
KEY_LETTERS = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"  # the alphabet of Zotero's item keys

# Zotero's tables, in our words: only the columns citels reads or that give a row meaning.
TABLES = """
itemTypes(itemTypeID INTEGER PRIMARY KEY, typeName TEXT, templateItemTypeID INT, display INT)
itemTypesCombined(itemTypeID INT PRIMARY KEY, typeName TEXT, display INT, custom INT)
fields(fieldID INTEGER PRIMARY KEY, fieldName TEXT, fieldFormatID INT)
fieldsCombined(fieldID INT PRIMARY KEY, fieldName TEXT, label TEXT, fieldFormatID INT, custom INT)
itemTypeFields(itemTypeID INT, fieldID INT, hide INT, orderIndex INT)
baseFieldMappings(itemTypeID INT, baseFieldID INT, fieldID INT)
baseFieldMappingsCombined(itemTypeID INT, baseFieldID INT, fieldID INT)
creatorTypes(creatorTypeID INTEGER PRIMARY KEY, creatorType TEXT)
itemTypeCreatorTypes(itemTypeID INT, creatorTypeID INT, primaryField INT)
libraries(libraryID INTEGER PRIMARY KEY, type TEXT NOT NULL, editable INT NOT NULL,
          filesEditable INT NOT NULL, version INT NOT NULL DEFAULT 0)
groups(groupID INTEGER PRIMARY KEY, libraryID INT NOT NULL UNIQUE, name TEXT NOT NULL,
       description TEXT NOT NULL, version INT NOT NULL)
feeds(libraryID INTEGER PRIMARY KEY, name TEXT NOT NULL, url TEXT NOT NULL UNIQUE)
items(itemID INTEGER PRIMARY KEY, itemTypeID INT NOT NULL, dateAdded TIMESTAMP NOT NULL,
      dateModified TIMESTAMP NOT NULL, clientDateModified TIMESTAMP NOT NULL,
      libraryID INT NOT NULL, key TEXT NOT NULL, version INT NOT NULL DEFAULT 0,
      synced INT NOT NULL DEFAULT 0, UNIQUE (libraryID, key))
itemDataValues(valueID INTEGER PRIMARY KEY, value UNIQUE)
itemData(itemID INT, fieldID INT, valueID INT, PRIMARY KEY (itemID, fieldID))
creators(creatorID INTEGER PRIMARY KEY, firstName TEXT, lastName TEXT, fieldMode INT,
         UNIQUE (lastName, firstName, fieldMode))
itemCreators(itemID INT NOT NULL, creatorID INT NOT NULL, creatorTypeID INT NOT NULL,
             orderIndex INT NOT NULL, UNIQUE (itemID, orderIndex))
itemNotes(itemID INTEGER PRIMARY KEY, parentItemID INT, note TEXT, title TEXT)
itemAttachments(itemID INTEGER PRIMARY KEY, parentItemID INT, linkMode INT, contentType TEXT,
                path TEXT)
itemAnnotations(itemID INTEGER PRIMARY KEY, parentItemID INT NOT NULL, type INT NOT NULL,
                text TEXT, sortIndex TEXT NOT NULL, position TEXT NOT NULL)
collections(collectionID INTEGER PRIMARY KEY, collectionName TEXT NOT NULL,
            parentCollectionID INT, clientDateModified TIMESTAMP NOT NULL,
            libraryID INT NOT NULL, key TEXT NOT NULL)
collectionItems(collectionID INT NOT NULL, itemID INT NOT NULL, orderIndex INT NOT NULL,
                PRIMARY KEY (collectionID, itemID))
feedItems(itemID INTEGER PRIMARY KEY, guid TEXT NOT NULL UNIQUE, readTime TIMESTAMP)
deletedItems(itemID INTEGER PRIMARY KEY, dateDeleted TIMESTAMP NOT NULL)
retractedItems(itemID INTEGER PRIMARY KEY, data TEXT, flag INT DEFAULT 0)
deletedCollections(collectionID INTEGER PRIMARY KEY, dateDeleted TIMESTAMP NOT NULL)
"""


@dataclass(frozen=True)
class Numbering:
    """How a database numbers its schema's rows: from where, and in which order."""

    first_type: int = 1
    first_field: int = 1
    first_creator_type: int = 1
    first_item: int = 1
    reverse: bool = False  # ids given in the reverse of the schema's order


class ZoteroBuilder:
    """Writes one `zotero.sqlite`; `add_*` return the new row's id."""

    def __init__(self, database: Path, numbering: Numbering = Numbering(), *,
                 wal: bool = True, native_keys: bool = True) -> None:
        self.path = database
        database.parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(database, isolation_level=None)
        self.connection.execute(f"PRAGMA journal_mode={'WAL' if wal else 'DELETE'}")
        self.connection.execute("BEGIN")
        for statement in _statements(TABLES):
            self.connection.execute(f"CREATE TABLE {statement}")
        self.native_keys = native_keys
        self._schema(numbering)
        self._item_ids = count(numbering.first_item)
        self._keys = count(7 * 33 ** 4)
        self._values: dict[str, int] = {}
        self._creators: dict[tuple[str, str, int], int] = {}
        self._value_ids, self._creator_ids = count(1), count(1)
        self._collections = count(1)
        self.now = "2024-05-01 10:00:00"

    @classmethod
    def on(cls, connection: sqlite3.Connection, database: Path) -> ZoteroBuilder:
        """A builder adding to an existing database through `connection` (which may hold
        Zotero's exclusive lock); ids are read from the database, as Zotero would."""
        builder = cls.__new__(cls)
        builder.path, builder.connection = database, connection
        rows = connection.execute
        builder.type_ids = dict(rows("SELECT typeName, itemTypeID FROM itemTypes"))
        builder.field_ids = dict(rows("SELECT fieldName, fieldID FROM fields"))
        builder.role_ids = dict(rows("SELECT creatorType, creatorTypeID FROM creatorTypes"))
        builder.fields_of = {}
        for type_name, field_name in rows(
                "SELECT t.typeName, f.fieldName FROM itemTypeFields x"
                " JOIN itemTypes t USING (itemTypeID) JOIN fields f USING (fieldID)"):
            builder.fields_of.setdefault(type_name, set()).add(field_name)
        builder.native_keys = "citationKey" in builder.field_ids
        next_item = rows("SELECT coalesce(max(itemID), 0) + 1 FROM items").fetchone()[0]
        builder._item_ids = count(next_item)
        builder._keys = count(9 * 33 ** 5 + next_item)  # unlike any key given before
        builder._values = dict(rows("SELECT value, valueID FROM itemDataValues"))
        builder._creators = {(first, last, mode): creator_id for creator_id, first, last, mode
                             in rows("SELECT creatorID, firstName, lastName, fieldMode"
                                     " FROM creators")}
        builder._value_ids = count(rows(
            "SELECT coalesce(max(valueID), 0) + 1 FROM itemDataValues").fetchone()[0])
        builder._creator_ids = count(rows(
            "SELECT coalesce(max(creatorID), 0) + 1 FROM creators").fetchone()[0])
        builder._collections = count(rows(
            "SELECT coalesce(max(collectionID), 0) + 1 FROM collections").fetchone()[0])
        builder.now = "2024-05-02 09:00:00"
        return builder

    def _schema(self, numbering: Numbering) -> None:
        names = list(ITEM_TYPES)
        field_names: list[str] = []
        role_names: list[str] = []
        for fields, roles in ITEM_TYPES.values():
            for spec in fields.split() + (["citationKey"] if self.native_keys else []):
                for name in spec.split(">"):
                    if name not in field_names:
                        field_names.append(name)
            for role in roles.replace("*", "").split():
                if role not in role_names:
                    role_names.append(role)
        order = reversed if numbering.reverse else list
        self.type_ids = {n: i for i, n in enumerate(order(names), numbering.first_type)}
        self.field_ids = {n: i for i, n in enumerate(order(field_names), numbering.first_field)}
        self.role_ids = {n: i for i, n in enumerate(order(role_names),
                                                    numbering.first_creator_type)}
        run = self.connection.executemany
        run("INSERT INTO itemTypes VALUES (?, ?, NULL, 1)",
            [(i, n) for n, i in self.type_ids.items()])
        run("INSERT INTO itemTypesCombined VALUES (?, ?, 1, 0)",
            [(i, n) for n, i in self.type_ids.items()])
        run("INSERT INTO fields VALUES (?, ?, NULL)", [(i, n) for n, i in self.field_ids.items()])
        run("INSERT INTO fieldsCombined VALUES (?, ?, NULL, NULL, 0)",
            [(i, n) for n, i in self.field_ids.items()])
        run("INSERT INTO creatorTypes VALUES (?, ?)", [(i, n) for n, i in self.role_ids.items()])
        self.fields_of: dict[str, set[str]] = {}
        for type_name, (fields, roles) in ITEM_TYPES.items():
            type_id = self.type_ids[type_name]
            specs = fields.split()
            if self.native_keys and type_name not in ("note", "attachment", "annotation"):
                specs.append("citationKey")
            self.fields_of[type_name] = {spec.split(">")[0] for spec in specs}
            for index, spec in enumerate(specs):
                name, _, base = spec.partition(">")
                run("INSERT INTO itemTypeFields VALUES (?, ?, 0, ?)",
                    [(type_id, self.field_ids[name], index)])
                if base:
                    for table in ("baseFieldMappings", "baseFieldMappingsCombined"):
                        run(f"INSERT INTO {table} VALUES (?, ?, ?)",
                            [(type_id, self.field_ids[base], self.field_ids[name])])
            for role in roles.split():
                run("INSERT INTO itemTypeCreatorTypes VALUES (?, ?, ?)",
                    [(type_id, self.role_ids[role.rstrip("*")], int(role.endswith("*")))])

    def add_library(self, library_id: int, kind: str = "user", name: str = "",
                    editable: bool = True) -> int:
        """A library: "user" (the personal one), "group" (with its name) or "feed"."""
        self.connection.execute("INSERT INTO libraries VALUES (?, ?, ?, ?, 0)",
                                (library_id, kind, int(editable), int(editable)))
        if kind == "group":
            self.connection.execute("INSERT INTO groups VALUES (?, ?, ?, '', 0)",
                                    (library_id * 1000 + 7, library_id, name))
        elif kind == "feed":
            self.connection.execute("INSERT INTO feeds VALUES (?, ?, ?)",
                                    (library_id, name, f"https://example.org/{library_id}.xml"))
        return library_id

    def add_item(self, library_id: int, type_name: str, fields: dict[str, str] | None = None,
                 creators: list[tuple[str, ...]] = (), *, key: str | None = None,
                 modified: str | None = None, version: int = 0) -> int:
        """An item; a creator is (role, last, first) or (role, single-field name)."""
        item_id = next(self._item_ids)
        key = key or self._new_key()
        when = modified or self.now
        self.connection.execute(
            "INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
            (item_id, self.type_ids[type_name], when, when, when, library_id, key, version))
        for name, value in (fields or {}).items():
            assert name in self.fields_of[type_name], f"{type_name} has no field {name}"
            self.connection.execute("INSERT INTO itemData VALUES (?, ?, ?)",
                                    (item_id, self.field_ids[name], self._value(value)))
        for index, creator in enumerate(creators):
            role, *name = creator
            names = (name[1], name[0], 0) if len(name) == 2 else ("", name[0], 1)
            self.connection.execute("INSERT INTO itemCreators VALUES (?, ?, ?, ?)",
                                    (item_id, self._creator(names), self.role_ids[role], index))
        return item_id

    def add_note(self, library_id: int, parent: int | None, text: str) -> int:
        item_id = self.add_item(library_id, "note")
        self.connection.execute("INSERT INTO itemNotes VALUES (?, ?, ?, ?)",
                                (item_id, parent, f"<p>{text}</p>", text))
        return item_id

    def add_attachment(self, library_id: int, parent: int | None, title: str) -> int:
        item_id = self.add_item(library_id, "attachment", {"title": title})
        self.connection.execute("INSERT INTO itemAttachments VALUES (?, ?, 0, ?, ?)",
                                (item_id, parent, "application/pdf", "storage:paper.pdf"))
        return item_id

    def add_annotation(self, library_id: int, attachment: int, text: str) -> int:
        item_id = self.add_item(library_id, "annotation")
        self.connection.execute("INSERT INTO itemAnnotations VALUES (?, ?, 1, ?, '0', '{}')",
                                (item_id, attachment, text))
        return item_id

    def add_collection(self, library_id: int, name: str, parent: int | None = None) -> int:
        collection_id = next(self._collections)
        self.connection.execute("INSERT INTO collections VALUES (?, ?, ?, ?, ?, ?)",
                                (collection_id, name, parent, self.now, library_id,
                                 self._new_key()))
        return collection_id

    def file(self, item_id: int, collection_id: int) -> None:
        """Put an item in a collection."""
        self.connection.execute("INSERT INTO collectionItems VALUES (?, ?, 0)",
                                (collection_id, item_id))

    def trash(self, item_id: int) -> None:
        self.connection.execute("INSERT INTO deletedItems VALUES (?, ?)", (item_id, self.now))

    def trash_collection(self, collection_id: int) -> None:
        self.connection.execute("INSERT INTO deletedCollections VALUES (?, ?)",
                                (collection_id, self.now))

    def mark_retracted(self, item_id: int) -> None:
        """As Zotero's Retraction Watch check flags an item."""
        self.connection.execute("INSERT INTO retractedItems VALUES (?, '{}', 0)", (item_id,))

    def mark_feed_item(self, item_id: int) -> None:
        self.connection.execute("INSERT INTO feedItems VALUES (?, ?, NULL)",
                                (item_id, f"urn:feed:{item_id}"))

    def item_key(self, item_id: int) -> str:
        return self.connection.execute("SELECT key FROM items WHERE itemID = ?",
                                       (item_id,)).fetchone()[0]

    def close(self) -> None:
        """Commit and close, leaving no WAL behind (as Zotero does when it quits)."""
        self.connection.execute("COMMIT")
        self.connection.close()

    def _value(self, value: str) -> int:
        if value not in self._values:
            self._values[value] = next(self._value_ids)
            self.connection.execute("INSERT INTO itemDataValues VALUES (?, ?)",
                                    (self._values[value], value))
        return self._values[value]

    def _creator(self, names: tuple[str, str, int]) -> int:
        if names not in self._creators:
            self._creators[names] = next(self._creator_ids)
            self.connection.execute("INSERT INTO creators VALUES (?, ?, ?, ?)",
                                    (self._creators[names], *names))
        return self._creators[names]

    def _new_key(self) -> str:
        number, letters = next(self._keys), []
        for _ in range(8):
            number, digit = divmod(number, len(KEY_LETTERS))
            letters.append(KEY_LETTERS[digit])
        return "".join(reversed(letters))


def _statements(tables: str) -> list[str]:
    """One CREATE TABLE body per table in TABLES (a table's columns may span lines)."""
    statements: list[str] = []
    for line in tables.strip().splitlines():
        if line.startswith(" ") and statements:
            statements[-1] += " " + line.strip()
        else:
            statements.append(line.strip())
    return statements


def write_better_bibtex(directory: Path, rows: list[tuple[int, str, int, str]]) -> Path:
    """Better BibTeX 6.7-7.x's key database: rows of (itemID, itemKey, libraryID, key)."""
    path = directory / "better-bibtex.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE citationkey (itemID NOT NULL PRIMARY KEY,"
                       " itemKey NOT NULL, libraryID NOT NULL, citationKey NOT NULL,"
                       " pinned CHECK (pinned in (0, 1)) NOT NULL DEFAULT 0)")
    connection.executemany("INSERT INTO citationkey VALUES (?, ?, ?, ?, 0)", rows)
    connection.commit()
    connection.close()
    return path
