"""The server's settings: defaults, the names used on the wire, and validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_COMPLETION_ITEMS = 50
# A menu shows about a dozen rows; each item more is sent and converted on every keystroke.
DEFAULT_COMPLETION_ITEMS = 20


@dataclass
class Config:
    """Settings under the `citels` section (camelCase on the wire, dotted for nested keys)."""

    corpus: list[str] = field(default_factory=list)  # empty: the bundled corpus
    database: str | None = None  # None: one per corpus in the user cache
    citation_commands: list[str] = field(default_factory=list)  # extra LaTeX macro names
    default_bibliography: str = "references.bib"
    completion_limit: int = DEFAULT_COMPLETION_ITEMS
    hover_show_abstract: bool = True
    workspace_bibliographies: bool = True  # the workspace's .bib files are searched too
    bibtex_unicode: str = "latex"  # "latex": Unicode as LaTeX (bibtex); "utf8": kept (biber)
    bibtex_abstract: bool = True
    bibtex_url_field: str = "url"  # where a code or project link goes: "url" or "note"
    diagnostics_unused_entries: bool = False  # hint at .bib entries no document cites
    zotero_data_directory: str | bool | None = None  # None: ~/Zotero if there; false/"": off
    # when a new citation's entry is written: "accept" (on accept and on save), "save", "off"
    bibliography_auto_add: str = "accept"
    log_level: str = "info"  # the least serious messages sent to the client's log
    online: bool = False  # look identifiers no index holds up in Crossref, DataCite, arXiv
    online_contact: str | None = None  # an e-mail address the lookups send (polite pool)


# wire name -> (attribute, check, what a valid value is)
_SETTINGS = {
    "corpus": ("corpus", lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
               "a list of paths"),
    "database": ("database", lambda v: v is None or isinstance(v, str), "a path"),
    "citationCommands": (
        "citation_commands",
        lambda v: isinstance(v, list) and all(isinstance(x, str) and x.isalpha() for x in v),
        "a list of command names without the backslash, such as [\"mycite\"]"),
    "defaultBibliography": ("default_bibliography",
                            lambda v: isinstance(v, str) and v.endswith(".bib") and "/" not in v,
                            "a file name ending in .bib"),
    "completion.limit": (
        "completion_limit",
        lambda v: isinstance(v, int) and not isinstance(v, bool)
        and 1 <= v <= MAX_COMPLETION_ITEMS,
        f"a whole number from 1 to {MAX_COMPLETION_ITEMS}"),
    "hover.showAbstract": ("hover_show_abstract", lambda v: isinstance(v, bool), "true or false"),
    "workspaceBibliographies": ("workspace_bibliographies", lambda v: isinstance(v, bool),
                                "true or false"),
    "bibtex.unicode": ("bibtex_unicode", lambda v: v in ("latex", "utf8"),
                       '"latex" or "utf8"'),
    "bibtex.abstract": ("bibtex_abstract", lambda v: isinstance(v, bool), "true or false"),
    "bibtex.urlField": ("bibtex_url_field", lambda v: v in ("url", "note"), '"url" or "note"'),
    "diagnostics.unusedEntries": ("diagnostics_unused_entries", lambda v: isinstance(v, bool),
                                  "true or false"),
    "zotero.dataDirectory": ("zotero_data_directory",
                             lambda v: v is None or v is False or isinstance(v, str),
                             'a path, null (find it) or false (no Zotero)'),
    "bibliography.autoAdd": ("bibliography_auto_add", lambda v: v in ("accept", "save", "off"),
                             '"accept", "save" or "off"'),
    "log.level": ("log_level", lambda v: v in ("error", "warning", "info"),
                  '"error", "warning" or "info"'),
    "online": ("online", lambda v: isinstance(v, bool), "true or false"),
    "onlineContact": ("online_contact",
                      lambda v: v is None or isinstance(v, str) and "@" in v and " " not in v,
                      "an e-mail address or null"),
}


# Settings of the editor clients, in the same section, that the server does not use.
CLIENT_ONLY_SETTINGS = ("server.command", "trace.server")


def parse_settings(raw: Any) -> tuple[Config, list[str]]:
    """A Config from the client's settings, and a message for each value that was not valid.

    Accepts the object with or without a `{"citels": ...}` wrapper; invalid values keep
    their defaults.
    """
    config = Config()
    if raw is None or raw == []:
        return config, []  # Neovim sends an empty Lua table as a JSON list
    if not isinstance(raw, dict):
        return config, [f"citels settings must be an object, not {type(raw).__name__}"]
    if isinstance(raw.get("citels"), dict):
        raw = raw["citels"]
    errors = []
    for name, value in _flatten(raw).items():
        if name.startswith(CLIENT_ONLY_SETTINGS):
            continue
        if name not in _SETTINGS:
            errors.append(f"unknown setting citels.{name} (ignored)")
            continue
        attribute, check, expected = _SETTINGS[name]
        if check(value):
            setattr(config, attribute, value)
        else:
            errors.append(f"citels.{name} must be {expected}, not {value!r}; using the default")
    return config, errors


def merged_settings(base: object, override: object) -> object:
    """Settings from initializationOptions, overridden key by key by those pulled later.

    Either may come with or without a `{"citels": ...}` wrapper; the result has none.
    """
    if isinstance(base, dict) and isinstance(base.get("citels"), dict):
        base = base["citels"]
    if isinstance(override, dict) and isinstance(override.get("citels"), dict):
        override = override["citels"]
    if not isinstance(base, dict) or not isinstance(override, dict):
        return override if override is not None else base
    merged = dict(base)
    for key, value in override.items():
        merged[key] = merged_settings(base.get(key), value) if isinstance(value, dict) else value
    return merged


def setting_names() -> list[str]:
    """Every setting's wire name (the editor clients mirror these)."""
    return list(_SETTINGS)


def _flatten(raw: dict, prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and name not in _SETTINGS:
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat
