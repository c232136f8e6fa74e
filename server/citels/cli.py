"""The `citels` command: index, search, show, bibtex, stats, doctor, serve."""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from citels import __version__

if TYPE_CHECKING:  # the indexer and its readers are imported by the commands that index
    from citels.corpus.sources import ReadOptions
    from citels.indexer import IndexReport
    from citels.papers import Paper
    from citels.store import Store

ONLINE_HELP = ("look a DOI or arXiv id no index holds up in Crossref, DataCite or the arXiv API"
               " (and search the papers looked up before)")


def build_parser() -> argparse.ArgumentParser:
    """The command line: a subcommand each, sharing --corpus and --db."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--corpus", action="append", type=Path, metavar="PATH",
                        help="corpus file or folder (repeatable; default: the bundled corpus)")
    common.add_argument("--db", type=Path, metavar="PATH",
                        help="index database (default: one per corpus in the user cache)")
    parser = argparse.ArgumentParser(
        prog="citels", description="Find papers by what you remember of them; cite them.")
    parser.add_argument("--version", action="version", version=f"citels {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    index = commands.add_parser("index", parents=[common], help="index the corpus")
    index.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                       help="files and folders to index (default: the corpus): .bib, CSL-JSON,"
                            " dumps of arXiv, OpenAlex, Semantic Scholar, DBLP or JSON Lines"
                            " (compressed or not), a Zotero data directory")
    index.add_argument("--category", metavar="CATS",
                       help="keep only these arXiv categories, e.g. 'cs.*,stat.ML'")
    index.add_argument("--years", metavar="RANGE", help="keep only these years: 2015-, 2010-2020")
    index.add_argument("--language", metavar="CODES", help="keep only these languages: en,de")
    index.add_argument("--map", metavar="FIELD=PATH,...",
                       help="where a JSON Lines record keeps each field, e.g. "
                            "title=metadata.title,abstract=summary")

    search = commands.add_parser("search", parents=[common], help="ranked papers for a query")
    search.add_argument("query", nargs="+")
    search.add_argument("--limit", type=_positive_int, default=10)
    search.add_argument("--json", action="store_true")
    search.add_argument("--online", action="store_true", help=ONLINE_HELP)

    show = commands.add_parser("show", parents=[common], help="one paper in full")
    show.add_argument("key")
    show.add_argument("--json", action="store_true")

    bibtex = commands.add_parser("bibtex", parents=[common], help="BibTeX entries")
    bibtex.add_argument("keys", nargs="*", metavar="KEY")
    bibtex.add_argument("--all", action="store_true", help="every paper in the corpus")
    bibtex.add_argument("--utf8", action="store_true", help="keep Unicode (for biber)")
    bibtex.add_argument("--no-abstract", action="store_true")
    bibtex.add_argument("--online", action="store_true",
                        help=ONLINE_HELP.replace("a DOI", "a KEY that is a DOI"))

    stats = commands.add_parser("stats", parents=[common], help="what the index holds")
    stats.add_argument("--json", action="store_true")

    commands.add_parser("doctor", parents=[common],
                        help="which citels, corpus and index are used, and whether they work")

    serve = commands.add_parser("serve", parents=[common], help="the language server on stdio")
    serve.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead (debugging)")
    serve.add_argument("--stdio", action="store_true", help="stdio (the default; for clients)")
    return parser


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


START_YOUNG_THRESHOLD = 10_000  # objects made between young collections during the start
OLDER_NEVER = 1 << 30  # an older generation's threshold that is never reached


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `citels` command; its exit status."""
    try:
        return _main(argv)
    except BrokenPipeError:
        # `citels search x | head`: the reader has all it wants; that is not an error.
        sys.stderr.close()
        return 0


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "bibtex" and not args.keys and not args.all:
        parser.error("bibtex: name at least one KEY, or --all")
    if args.command == "serve":
        return _serve(args)
    # Imported here, not above: `citels serve` imports them once its caches are in place.
    from citels.indexes import corpus_paths, database_path, open_index

    corpus = corpus_paths(args.corpus)
    if args.command == "doctor":
        return _doctor(corpus, database_path(corpus, args.db))
    store, messages = open_index(database_path(corpus, args.db))
    if store is None:
        for message in messages:
            print(f"citels: {message}", file=sys.stderr)
        return 1
    for message in messages:
        print(f"warning: {message}", file=sys.stderr)
    try:
        if args.command == "index":
            from citels.indexer import index_corpus

            options = _read_options(args, parser)
            report = index_corpus(store, args.paths or corpus, progress=True, options=options)
            _print_report(report)
            return 0
        _index_if_empty(store, corpus)
        return COMMANDS[args.command](store, args)
    finally:
        store.close()


def _serve(args: argparse.Namespace) -> int:
    """The language server, its modules loaded the quick way."""
    # Only young collections until the start's garbage is collected at once (when the
    # client is quiet, or the first completion is answered: lsp/server.py): the garbage
    # each of the protocol's classes leaves is freed young, but the long-lived objects the
    # imports make are not gone through again by older collections (a tenth of a start).
    # Turning the collector off instead left 8 MB more resident (the garbage's holes).
    usual_thresholds = gc.get_threshold()
    gc.set_threshold(START_YOUNG_THRESHOLD, OLDER_NEVER, OLDER_NEVER)
    # Before citels's modules and the protocol are imported: code compiled by an earlier
    # start is loaded instead of compiled again (the protocol's classes and dataclasses
    # always; citels's modules where Python keeps no bytecode).
    from citels.lsp import generated_code, module_code

    kept_code: list[generated_code.GeneratedCode | module_code.KeptModuleCode] = []
    if module_code.wanted():
        kept_code.append(module_code.KeptModuleCode(module_code.default_path()))
    kept_code.append(generated_code.GeneratedCode(generated_code.default_path()))
    for kept in kept_code:
        kept.install()
    first_message = b""
    from citels import early_index

    if not args.tcp and early_index.loop_can_read(sys.stdin.buffer, sys.stdout.buffer):
        # Read before the protocol is loaded: a large .bib's first index starts at once.
        first_message = early_index.read_first_message(sys.stdin.fileno())
        early_index.start_for(first_message)
    from citels.lsp.setup import run

    return run(corpus=args.corpus, database=args.db, tcp=args.tcp, kept_code=kept_code,
               collector_thresholds=usual_thresholds, first_message=first_message)


def _read_options(args: argparse.Namespace, parser: argparse.ArgumentParser
                  ) -> ReadOptions | None:
    """The filters and mapping asked for; None when none was (each file keeps its own)."""
    from citels.corpus.filters import FilterError, paper_filter
    from citels.corpus.json_lines import MappingError, parse_mapping
    from citels.corpus.sources import ReadOptions

    if not (args.category or args.years or args.language or args.map):
        return None
    try:
        return ReadOptions(paper_filter(args.category, args.years, args.language),
                           parse_mapping(args.map) if args.map else None)
    except (FilterError, MappingError) as error:
        parser.error(str(error))


def _index_if_empty(store: Store, corpus: Sequence[Path]) -> None:
    if not store.file_states():
        from citels.indexer import index_corpus

        _print_report(index_corpus(store, corpus, progress=True))


def _print_report(report: IndexReport) -> None:
    for message in report.skipped + report.warnings:
        print(f"warning: {message}", file=sys.stderr)
    print(report.summary(), file=sys.stderr)


def _search(store: Store, args: argparse.Namespace) -> int:
    from citels.ranking import rank
    from citels.render import display_title

    query = " ".join(args.query)
    if args.online:
        from citels.online.command_line import online_catalogue

        with online_catalogue(store, [query]) as catalogue:
            hits = catalogue.search(query, limit=args.limit)
    else:
        hits = rank(store, query, limit=args.limit)
    if args.json:
        rows = [dict(_paper_json(hit.paper), score=hit.score) for hit in hits]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for hit in hits:
            year = str(hit.paper.year or "----")
            print(f"{hit.paper.key}  {year}  {display_title(hit.paper)}")
    return 0


def _show(store: Store, args: argparse.Namespace) -> int:
    from citels.render import paper_plain

    paper = _paper_or_complain(store, args.key)
    if paper is None:
        return 1
    print(json.dumps(_paper_json(paper), indent=2, ensure_ascii=False) if args.json
          else paper_plain(paper))
    return 0


def _bibtex(store: Store, args: argparse.Namespace) -> int:
    from citels.bibliography.entry import to_bibtex
    from citels.bibliography.preamble import carried, with_preambles

    papers = list(store.papers()) if args.all else []
    if args.online:
        from citels.online.command_line import papers_online

        found, missing = papers_online(store, args.keys)
        if missing is not None:
            print(f"citels: no paper with key or identifier {missing!r} in the index"
                  " or online", file=sys.stderr)
            return 1
        papers += found
    else:
        for key in args.keys:
            paper = _paper_or_complain(store, key)
            if paper is None:
                return 1
            papers.append(paper)
    entries = [to_bibtex(p, unicode=args.utf8, include_abstract=not args.no_abstract)
               for p in papers]
    # The @preamble definitions the entries use (\noopsort), once, before them all.
    preambles = carried((_bib_source(store, paper), entry)
                        for paper, entry in zip(papers, entries, strict=True))
    print(with_preambles(preambles, "\n".join(entries)), end="")
    return 0


def _bib_source(store: Store, paper: Paper) -> Path | None:
    """The file a user's entry was read from (None for a paper that is no one's entry)."""
    source = store.source_location(paper.key) if paper.fields and paper.key else None
    return Path(source[0]) if source else None


def _stats(store: Store, args: argparse.Namespace) -> int:
    from citels.indexes import paper_stats

    counts = paper_stats([store])
    papers, titled = counts["papers"], counts["titled"]
    records = store.record_count()
    files = store.file_states()
    stats = {
        **counts,
        "records_read": records,
        "records_merged": records - papers,
        "files": {path: {"records": state.records, "warnings": list(state.warnings)}
                  for path, state in sorted(files.items())},
        "database": str(store.path),
        "zotero": _zotero_stats(store),
    }
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
    else:
        print(f"{papers} papers ({titled} titled, {papers - titled} abstract-only)"
              f" from {records} records ({records - papers} merged)")
        for path, info in stats["files"].items():
            print(f"  {info['records']:>7}  {path}")
        print(f"index: {store.path}")
        zotero = stats["zotero"]
        items = (f", {zotero['items']} items indexed" if "items" in zotero
                 else " (not indexed yet: citels index ~/Zotero)" if zotero["found"] else "")
        print(f"{zotero['status']}{items}")
    return 0


def _zotero_stats(store: Store) -> dict:
    """Whether Zotero's library is at its default place, and how many of its items are
    indexed (in this index, or in the one the server keeps for it)."""
    from citels.indexes import zotero_database, zotero_index
    from citels.store import Store

    database, status = zotero_database()
    found: dict = {"found": database is not None, "status": status}
    if database is None:
        return found
    state = store.file_states().get(str(database))
    if state is not None:
        return found | {"items": state.records}
    own = zotero_index(database).database
    if own.exists():
        other = Store(own)
        try:
            found["items"] = other.paper_counts()[0]
        finally:
            other.close()
    return found


def _doctor(corpus: Sequence[Path], database: Path) -> int:
    """What an installed citels uses, for a user (or a bug report) to check; 1 if it lacks
    a corpus."""
    import citels
    from citels.indexes import open_index, paper_stats

    print(f"citels {__version__} (Python {sys.version.split()[0]}, {Path(citels.__file__).parent})")
    found = True
    for path in corpus:
        files = sum(1 for f in path.rglob("*") if f.is_file()) if path.is_dir() else 1
        state = f"{files} files" if path.exists() else "NOT FOUND"
        found = found and path.exists()
        print(f"corpus: {path} ({state})")
    if not database.exists():
        print(f"index: {database} (not built yet: `citels index` builds it)")
        return 0 if found else 1
    store, messages = open_index(database)
    if store is None:
        print(f"index: {database} (cannot be opened: {'; '.join(messages)})")
        return 1
    try:
        print(f"index: {database} ({paper_stats([store])['papers']} papers)")
    finally:
        store.close()
    return 0 if found else 1


def _paper_or_complain(store: Store, key: str) -> Paper | None:
    paper = store.get(key)
    if paper is None:
        print(f"citels: no paper with key {key!r} in the index", file=sys.stderr)
    return paper


def _paper_json(paper: Paper) -> dict:
    from citels.render import display_title

    return dict(paper.to_dict(), display_title=display_title(paper))


COMMANDS = {"search": _search, "show": _show, "bibtex": _bibtex, "stats": _stats}
