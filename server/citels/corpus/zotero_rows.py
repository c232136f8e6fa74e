"""Read Zotero's regular items, with their fields, creators and collections, from its schema.

Ids differ from one database to another (an old library and a fresh one number item types
and fields differently), so everything is joined by name: `itemTypes.typeName`,
`fields.fieldName`, `creatorTypes.creatorType`. Type-specific fields (a thesis's
`university`, a conference paper's `proceedingsTitle`) are also given under their base
field's name (`publisher`, `publicationTitle`) through `baseFieldMappings`.

A paper is what Better BibTeX exports: not a note, attachment or annotation, not in the
trash (`deletedItems`), not in a feed library.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field

NOT_PAPERS = ("note", "attachment", "annotation")


@dataclass(frozen=True)
class Creator:
    """One creator of an item, in the item's order."""

    role: str  # creatorTypes.creatorType: author, editor, bookAuthor, programmer, ...
    first: str
    last: str
    single_field: bool  # fieldMode 1: one name as written ("World Health Organization")


@dataclass
class ZoteroItem:
    """One regular item as Zotero stores it, fields by name."""

    item_id: int
    library_id: int
    key: str  # Zotero's item key, unique in its library
    type_name: str
    client_modified: str  # items.clientDateModified, "YYYY-MM-DD HH:MM:SS" UTC
    modified: str  # items.dateModified
    version: int
    fields: dict[str, str] = field(default_factory=dict)
    creators: list[Creator] = field(default_factory=list)
    primary_role: str = "author"  # the item type's main creator type (programmer, ...)
    collections: list[str] = field(default_factory=list)  # paths, "Thesis/Chapter 2"
    group: str | None = None  # the group library's name; None in the personal library
    retracted: bool = False  # flagged by Zotero's Retraction Watch check


@dataclass(frozen=True)
class ItemVersion:
    """What tells whether an item changed: enough to re-read only what did."""

    item_id: int
    library_id: int
    client_modified: str
    version: int


class Schema:
    """The names behind one database's ids, read once per connection."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        tables = {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        # Zotero 5.0.78+ keeps built-in and custom types in *Combined tables; older, only
        # the plain ones. Whichever there is says the same for the built-in ones.
        def table(name: str) -> str:
            return name + "Combined" if name + "Combined" in tables else name

        self.tables = tables
        self.item_types = table("itemTypes")
        self.field_names: dict[int, str] = dict(connection.execute(
            f"SELECT fieldID, fieldName FROM {table('fields')}"))
        # (itemTypeID, fieldID) -> the base field's name
        self.base_names: dict[tuple[int, int], str] = {
            (type_id, field_id): self.field_names[base_id]
            for type_id, base_id, field_id in connection.execute(
                f"SELECT itemTypeID, baseFieldID, fieldID FROM {table('baseFieldMappings')}")
            if base_id in self.field_names}
        self.primary_roles: dict[str, str] = {}
        if "itemTypeCreatorTypes" in tables:
            self.primary_roles = dict(connection.execute(
                f"SELECT t.typeName, c.creatorType FROM itemTypeCreatorTypes x"
                f" JOIN {self.item_types} t ON t.itemTypeID = x.itemTypeID"
                " JOIN creatorTypes c ON c.creatorTypeID = x.creatorTypeID"
                " WHERE x.primaryField = 1"))


def live_items(connection: sqlite3.Connection, schema: Schema) -> list[ItemVersion]:
    """Every regular item in every user and group library, with its modification marks."""
    excluded = ", ".join(f"'{name}'" for name in NOT_PAPERS)
    feeds = (" AND i.itemID NOT IN (SELECT itemID FROM feedItems)"
             if "feedItems" in schema.tables else "")
    trash = (" AND i.itemID NOT IN (SELECT itemID FROM deletedItems)"
             if "deletedItems" in schema.tables else "")
    rows = connection.execute(
        "SELECT i.itemID, i.libraryID, i.clientDateModified, i.version FROM items i"
        f" JOIN {schema.item_types} t ON t.itemTypeID = i.itemTypeID"
        " JOIN libraries l ON l.libraryID = i.libraryID"
        f" WHERE t.typeName NOT IN ({excluded}) AND l.type != 'feed'{trash}{feeds}"
        " ORDER BY i.itemID")
    return [ItemVersion(*row) for row in rows]


def read_items(connection: sqlite3.Connection, schema: Schema,
               item_ids: list[int]) -> list[ZoteroItem]:
    """The items with these ids, whole, in the order given."""
    wanted = json.dumps(item_ids)
    items: dict[int, ZoteroItem] = {}
    type_ids: dict[int, int] = {}
    for row in connection.execute(
            "SELECT i.itemID, i.libraryID, i.key, t.typeName, i.clientDateModified,"
            " i.dateModified, i.version, i.itemTypeID FROM items i"
            f" JOIN {schema.item_types} t ON t.itemTypeID = i.itemTypeID"
            " WHERE i.itemID IN (SELECT value FROM json_each(?))", (wanted,)):
        item = ZoteroItem(*row[:7])
        item.primary_role = schema.primary_roles.get(item.type_name, "author")
        items[item.item_id] = item
        type_ids[item.item_id] = row[7]
    for item_id, field_id, value in connection.execute(
            "SELECT d.itemID, d.fieldID, v.value FROM itemData d"
            " JOIN itemDataValues v ON v.valueID = d.valueID"
            " WHERE d.itemID IN (SELECT value FROM json_each(?))", (wanted,)):
        name = schema.field_names.get(field_id)
        if name is None or value is None:
            continue
        text = str(value)
        fields = items[item_id].fields
        fields[name] = text
        base = schema.base_names.get((type_ids[item_id], field_id))
        if base:
            fields.setdefault(base, text)
    for item_id, role, first, last, mode in connection.execute(
            "SELECT ic.itemID, ct.creatorType, c.firstName, c.lastName, c.fieldMode"
            " FROM itemCreators ic JOIN creators c ON c.creatorID = ic.creatorID"
            " JOIN creatorTypes ct ON ct.creatorTypeID = ic.creatorTypeID"
            " WHERE ic.itemID IN (SELECT value FROM json_each(?)) ORDER BY ic.itemID, ic.orderIndex", (wanted,)):
        items[item_id].creators.append(Creator(role, first or "", last or "", mode == 1))
    _add_collections(connection, schema, items, wanted)
    _add_groups(connection, items)
    if "retractedItems" in schema.tables:
        for (item_id,) in connection.execute(
                "SELECT itemID FROM retractedItems"
                " WHERE itemID IN (SELECT value FROM json_each(?))", (wanted,)):
            items[item_id].retracted = True
    return [items[item_id] for item_id in item_ids if item_id in items]


def _add_collections(connection: sqlite3.Connection, schema: Schema,
                     items: dict[int, ZoteroItem], wanted: str) -> None:
    trashed = (" WHERE collectionID NOT IN (SELECT collectionID FROM deletedCollections)"
               if "deletedCollections" in schema.tables else "")
    collections = {collection_id: (name, parent) for collection_id, name, parent in
                   connection.execute("SELECT collectionID, collectionName, parentCollectionID"
                                      f" FROM collections{trashed}")}
    for collection_id, item_id in connection.execute(
            "SELECT collectionID, itemID FROM collectionItems"
            " WHERE itemID IN (SELECT value FROM json_each(?))", (wanted,)):
        path = _collection_path(collections, collection_id)
        if path:
            items[item_id].collections.append(path)


def _collection_path(collections: dict[int, tuple[str, int | None]],
                     collection_id: int | None) -> str | None:
    """"Parent/Child" for a collection; None if it or a parent is in the trash."""
    names: list[str] = []
    while collection_id is not None and len(names) < 64:  # a cycle is corruption: stop
        if collection_id not in collections:
            return None
        name, collection_id = collections[collection_id]
        names.append(name)
    return "/".join(reversed(names))


def _add_groups(connection: sqlite3.Connection, items: dict[int, ZoteroItem]) -> None:
    groups = dict(connection.execute(
        "SELECT l.libraryID, g.name FROM libraries l JOIN groups g ON g.libraryID = l.libraryID"
        " WHERE l.type = 'group'"))
    for item in items.values():
        item.group = groups.get(item.library_id)


def better_bibtex_keys(connection: sqlite3.Connection) -> dict[tuple[int, str], str]:
    """Better BibTeX 6.7.132-7.x's keys, by (libraryID, itemKey)."""
    tables = {row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "citationkey" not in tables:
        return {}
    return {(library_id, item_key): key for library_id, item_key, key in connection.execute(
        "SELECT libraryID, itemKey, citationKey FROM citationkey") if key and item_key}


def collections_digest(connection: sqlite3.Connection) -> str:
    """A number that changes when a collection is renamed, moved or gains or loses an item.

    Adding an item to a collection need not touch the item's modification time."""
    rows = connection.execute(
        "SELECT c.collectionID, c.collectionName, c.parentCollectionID, c.clientDateModified,"
        " (SELECT group_concat(itemID) FROM collectionItems x"
        "  WHERE x.collectionID = c.collectionID) FROM collections c ORDER BY 1")
    return hashlib.sha256(repr(rows.fetchall()).encode()).hexdigest()
