"""The ``cycleboard`` command line.

Only the dashboard imports Textual; ``check``, ``list``, ``export``, ``mark``,
``report`` and ``import`` stay on the data layer so they start fast.  Every failure the
user can cause is one plain line on stderr: exit 1 for bad input, 2 for usage.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from store import __version__

PROG = "cycleboard"


class UsageError(Exception):
    """Wrong words on the command line (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line instead of usage + error
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _examples(*lines: str) -> dict[str, Any]:
    """A command's --help ends with examples, printed as written."""
    return {
        "epilog": "examples:\n" + "\n".join(f"  {line}" for line in lines),
        "formatter_class": argparse.RawDescriptionHelpFormatter,
    }


def _build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    # SUPPRESS lets --seeds/--store stand before or after the command.
    common.add_argument(
        "--seeds",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="the seeds folder (default: $CYCLEBOARD_SEEDS, ./seeds, then the shipped plan)",
    )
    common.add_argument(
        "--store",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="the store folder (default: $CYCLEBOARD_STORE, then one per seeds folder "
        "in the user data folder)",
    )

    parser = _Parser(
        prog=PROG,
        parents=[common],
        description="Release-cycle planning: cycles, themes, sessions and blueprints from TOML seeds.",
        **_examples(
            f"{PROG}                              open the dashboard on ./seeds (or the shipped plan)",
            f"{PROG} --project nova --cycle 2023.1",
            f"{PROG} list project:nova state:blocked",
            f"{PROG} mark nova/fqdn-in-hostname done",
        ),
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--project", help="dashboard: start filtered to this project")
    parser.add_argument("--cycle", help="dashboard: start on this cycle")
    parser.add_argument("--filter", help="dashboard: start with this filter")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    commands.add_parser(
        "check",
        parents=[common],
        help="validate the seeds; errors as FILE:LINE:COL; exit 1 on any",
        **_examples(f"{PROG} check", f"{PROG} check --seeds path/to/seeds"),
    )

    listing = commands.add_parser(
        "list",
        parents=[common],
        help="blueprints with their effective state",
        **_examples(
            f"{PROG} list cycle:2023.1 project:nova",
            f"{PROG} list state:approved,started scheduler",
            f"{PROG} list --format json cycle:kilo > kilo.json",
        ),
    )
    listing.add_argument(
        "filter",
        nargs="*",
        metavar="FILTER",
        help="words such as project:nova state:approved,blocked category:scheduler "
        "theme:ID cycle:kilo (no cycle word: every cycle) and free text",
    )
    listing.add_argument("--format", choices=("table", "json"), default="table")

    export = commands.add_parser(
        "export",
        parents=[common],
        help="everything: cycles, projects, themes, sessions, blueprints",
        **_examples(f"{PROG} export > plan.json"),
    )
    export.add_argument("--format", choices=("json",), default="json")

    mark = commands.add_parser(
        "mark",
        parents=[common],
        help="set a blueprint's state (records history)",
        **_examples(
            f"{PROG} mark 2023.1/nova/fqdn-in-hostname implemented", f"{PROG} mark fqdn-in-hostname done"
        ),
    )
    mark.add_argument("key", metavar="KEY", help="a blueprint key or any unambiguous suffix of one")
    mark.add_argument(
        "state",
        metavar="STATE",
        help="proposed, approved, started, blocked, implemented (done), deferred or abandoned",
    )

    report = commands.add_parser(
        "report",
        parents=[common],
        help="a Markdown status report of a cycle",
        **_examples(
            f"{PROG} report",
            f"{PROG} report --cycle 2023.1 --project nova > weekly.md",
            f"{PROG} report project:nova -state:implemented",
        ),
    )
    report.add_argument(
        "filter",
        nargs="*",
        metavar="FILTER",
        help="only the blueprints this filter matches, as in list (e.g. owner:melwitt -state:deferred)",
    )
    report.add_argument(
        "--cycle", dest="report_cycle", metavar="C", help="cycle id or name (default: current)"
    )
    report.add_argument("--project", dest="report_project", metavar="P", help="only this project")

    importing = commands.add_parser(
        "import",
        help="write seed files from OpenStack's release schedules or nova-specs",
        **_examples(
            f"{PROG} import releases ../releases --cycle 2024.1 --out seeds",
            f"{PROG} import nova-specs specs.tsv --out seeds",
        ),
    )
    sources = importing.add_subparsers(dest="source", metavar="SOURCE", parser_class=_Parser, required=True)
    releases = sources.add_parser(
        "releases",
        help="series and their schedules from an openstack/releases checkout",
        **_examples(f"{PROG} import releases ../releases --cycle 2024.1,2024.2 --out seeds"),
    )
    releases.add_argument(
        "root",
        metavar="DIR",
        help="an openstack/releases checkout, or a folder holding "
        "series_status.yaml and SERIES/schedule.yaml",
    )
    releases.add_argument(
        "--labels",
        metavar="TSV",
        help="event titles as a TSV of series, label, heading, for schedules without their schedule.rst",
    )
    releases.add_argument(
        "--cycle",
        dest="only",
        action="append",
        metavar="C",
        help="only this series (id or name; repeat or separate with commas)",
    )
    specs = sources.add_parser(
        "nova-specs",
        help="blueprints from an index of the nova-specs repository",
        **_examples(f"{PROG} import nova-specs specs.tsv --out seeds"),
    )
    specs.add_argument("index", metavar="INDEX.tsv", help="release, folder, filename, title, blueprint")
    for source in (releases, specs):
        source.add_argument(
            "--out",
            required=True,
            metavar="SEEDS_DIR",
            help="the seeds folder to write into (its imported files go in a subfolder)",
        )

    serving = commands.add_parser(
        "serve",
        parents=[common],
        help="the dashboard in a browser (textual-serve); each tab is a dashboard",
        description="Serve the dashboard to browsers: every tab runs a dashboard of its own on the same "
        "seeds and store. Binds to localhost unless told otherwise; any other address needs a token.",
        **_examples(
            f"{PROG} serve                          http://localhost:8000, this machine only",
            f"{PROG} serve --port 8080 --seeds ~/plan/seeds",
            f'{PROG} serve --host 0.0.0.0 --token "$(openssl rand -hex 16)"',
            f"{PROG} serve --host 192.168.1.20      the token from $CYCLEBOARD_TOKEN",
        ),
    )
    serving.add_argument("--host", default="localhost", help="the address to listen on (default: localhost)")
    serving.add_argument("--port", type=int, default=8000, help="the port (default: 8000)")
    serving.add_argument(
        "--token",
        help="what a browser must give to open the board (default: $CYCLEBOARD_TOKEN); "
        "needed for any address but a loopback one",
    )
    return parser


def _open_board(args: argparse.Namespace):
    from store.board import Board
    from store.paths import resolve_seeds, resolve_store

    seeds = resolve_seeds(getattr(args, "seeds", None))
    store = resolve_store(getattr(args, "store", None), seeds)
    board = Board(seeds, store).refresh()
    for notice in board.notices:
        print(f"{PROG}: {notice}", file=sys.stderr)
    return board


def _warn_if_broken(board) -> None:
    """Commands other than check still work on a broken plan, but say so once."""
    problems = board.plan.problems
    if problems:
        print(
            f"{PROG}: warning: the seeds have {len(problems)} error(s), first: {problems[0]} "
            f"(run '{PROG} check')",
            file=sys.stderr,
        )


def cmd_check(args: argparse.Namespace) -> int:
    from store.paths import display_path, resolve_seeds
    from store.plan import assemble, seed_files, seed_name
    from store.seeds import parse_file

    seeds = resolve_seeds(getattr(args, "seeds", None))
    base = display_path(seeds)
    files = seed_files(seeds)
    plan = assemble(parse_file(path, seed_name(path, seeds)) for path in files)
    for error in sorted(plan.errors, key=lambda e: (e.path, e.line, e.col)):
        print(
            f"{base}/{error}" if base != "." else str(error),
            file=sys.stderr if not error.warning else sys.stdout,
        )
    problems = len(plan.problems)
    summary = (
        f"{len(files)} files, {len(plan.cycles)} cycles, {len(plan.projects)} projects, "
        f"{len(plan.themes)} themes, {len(plan.sessions)} sessions, {len(plan.blueprints)} blueprints"
    )
    if problems:
        print(f"{base}: {problems} error(s) in {summary}", file=sys.stderr)
        return 1
    print(f"{base}: ok: {summary}" + (f", {len(plan.warnings)} warning(s)" if plan.warnings else ""))
    return 0


def _json_lines(items: list[dict]) -> str:
    """A JSON array of records with one record per line: greppable.

    The array is written by json's C encoder in one call (an indented dump goes
    through the slow pure-Python one, and a call per record costs more),
    then broken before each record. A record's first key is
    "key", and ``}, {"key": `` cannot occur inside a string, whose quotes are
    escaped; a dict nested in a record starts with another key. Were that
    ever not so, the array would only have fewer line breaks.
    """
    if not items:
        return "[]"
    whole = json.JSONEncoder(ensure_ascii=False).encode(items)
    return "[\n" + whole[1:-1].replace('}, {"key": ', '},\n{"key": ') + "\n]"


def cmd_list(args: argparse.Namespace) -> int:
    from store.query import Filter

    query = Filter.parse(args.filter)
    board = _open_board(args)
    _warn_if_broken(board)
    rows = board.rows(board.plan.resolved(query))
    if args.format == "json":
        sys.stdout.write(_json_lines([row.to_dict() for row in rows]) + "\n")
        return 0
    print_table(rows, shutil.get_terminal_size((120, 24)).columns)
    print(f"{len(rows)} blueprint(s)", file=sys.stderr)
    return 0


def print_table(rows: list, width: int) -> None:
    """One line per blueprint in columns that line up: state, key, title, category, reviews.

    Each column is as wide as its widest cell; the title takes the room the
    others leave (cut with an ellipsis, never below 20 cells), so the columns
    after it stay put whatever the titles' lengths or scripts.
    """
    from rich.cells import cell_len, set_cell_size

    cells = []
    for row in rows:
        bp = row.blueprint
        reviews = ",".join(str(r) for r in bp.reviews)
        cells.append((row.state.value, _cell(bp.key), _cell(bp.title), _cell(bp.category), reviews))
    if not cells:
        return
    state_w, key_w, title_w, category_w, reviews_w = (
        max(cell_len(line[at]) for line in cells) for at in range(5)
    )
    others = state_w + key_w + category_w + 2 * 3 + (reviews_w + 4 if reviews_w else 0)
    title_w = min(title_w, max(20, width - others))
    for state, key, title, category, reviews in cells:
        if cell_len(title) > title_w:
            title = set_cell_size(title, title_w - 1) + "…"
        line = "  ".join(
            (
                set_cell_size(state, state_w),
                set_cell_size(key, key_w),
                set_cell_size(title, title_w),
                set_cell_size(category, category_w),
                f"[{reviews}]" if reviews else "",
            )
        )
        print(line.rstrip())


# Control characters (line breaks and tabs included) in a table cell would make
# or move rows; each is shown as its escape, so the text stays visible and literal.
_CONTROL = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F, *range(0x80, 0xA0))}
_CONTROL.update({0x2028: "\\u2028", 0x2029: "\\u2029"})


def _cell(text: str) -> str:
    return text.translate(_CONTROL)


def cmd_export(args: argparse.Namespace) -> int:
    board = _open_board(args)
    _warn_if_broken(board)
    tables = board.export()
    sys.stdout.write(
        "{\n"
        + ",\n".join(f"{json.dumps(name)}: {_json_lines(items)}" for name, items in tables.items())
        + "\n}"
    )
    sys.stdout.write("\n")
    return 0


def cmd_mark(args: argparse.Namespace) -> int:
    from store.model import State
    from store.query import QueryError

    try:
        state = State.parse(args.state)
    except ValueError:
        raise QueryError(
            f"unknown state '{args.state}' (expected one of {', '.join(State.names())}, done)"
        ) from None
    from store.marks import NoEffect
    from store.seed_edit import EditRefused

    board = _open_board(args)
    key = board.resolve(args.key)
    try:
        before, mark = board.mark(key, state, via="cli")
    except (NoEffect, EditRefused) as exc:
        raise QueryError(f"not changed: {exc}") from None
    for notice in board.notices:
        print(f"{PROG}: {notice}", file=sys.stderr)
    if mark is None:
        print(f"{key}: already {state.value}; nothing changed")
        return 0
    where = f"written to {mark.where}" if mark.where else "kept locally"
    print(f"{key}: {before.value} -> {state.value} ({where})")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from store.query import Filter
    from store.report import render

    board = _open_board(args)
    _warn_if_broken(board)
    query = Filter.parse(args.filter)
    if query.cycles:
        raise UsageError("report: name the cycle with --cycle, not cycle: in the filter")
    sys.stdout.write(render(board, args.report_cycle, args.report_project, query=query))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from store.storage import StoreError
    from store.upstream.imports import import_nova_specs, import_releases
    from store.upstream.yamltext import UpstreamError

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is not a folder")
    try:
        if args.source == "releases":
            only = [word for item in args.only or [] for word in item.split(",")]
            done = import_releases(Path(args.root), out, Path(args.labels) if args.labels else None, only)
        else:
            done = import_nova_specs(Path(args.index), out)
    except UpstreamError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        raise StoreError(f"cannot write into {out}: {exc.strerror or exc}") from None
    for line in done.warnings:
        print(f"{PROG}: {line}", file=sys.stderr)
    for line in done.notices:
        print(line)
    for path in done.written.kept:
        print(f"{PROG}: {path} was not written by this import: left it alone", file=sys.stderr)
    print(f"{args.source}: {done.counts}; {done.written.summary()}")
    return 1 if done.written.kept else 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    from tui.app import make_app  # the only command that imports Textual

    options = {
        "seeds": getattr(args, "seeds", None),
        "store": getattr(args, "store", None),
        "project": args.project,
        "cycle": args.cycle,
        "filter_text": args.filter,
    }
    # textual-serve runs each tab's dashboard over pipes, its driver named in the environment.
    served = os.environ.get("TEXTUAL_DRIVER", "").endswith(":WebDriver")
    if not served and (not sys.stdin.isatty() or not sys.stdout.isatty()):
        make_app(**options)  # a bad option is the first thing to say
        raise UsageError("the dashboard needs a terminal; for scripts use list, export or report")
    # On screen at once: the app reads the plan, showing how far it is, and then checks
    # the project and cycle asked for (a bad one ends it, with its message below).
    app = make_app(**options, read_in_app=True)
    app.handle_signals = True
    app.run()
    if app.start_error:
        print(f"{PROG}: {app.start_error}", file=sys.stderr)
    why = (
        "may not be saved (a write was still under way when it stopped)"
        if app.writes_cut_short
        else "not saved (another cycleboard held the lock)"
    )
    for line in app.not_saved:
        print(f"{PROG}: {why}: {line}", file=sys.stderr)
    leave_now(app.return_code or 0)


def cmd_serve(args: argparse.Namespace) -> int:
    from store.paths import display_path, resolve_seeds, resolve_store

    try:
        from tui.serve import TOKEN_VARIABLE, ServeRefused, serve
    except ImportError as missing:
        raise UsageError(f"serving needs the web extra: pip install 'cycleboard[web]' ({missing})") from None
    seeds = resolve_seeds(getattr(args, "seeds", None)).resolve()
    store = resolve_store(getattr(args, "store", None), seeds).resolve()
    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port}: a port is 1 to 65535")
    token = args.token or os.environ.get(TOKEN_VARIABLE) or None
    where = f"seeds: {display_path(seeds)}, store: {display_path(store)}"
    try:
        serve(seeds, store, host=args.host, port=args.port, token=token, where=where)
    except ServeRefused as refused:
        raise UsageError(str(refused)) from None
    except OSError as error:  # the port is taken, the address is not ours
        print(f"{PROG}: cannot serve on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 1
    return 0


def leave_now(code: int) -> NoReturn:
    """End the process without the interpreter's teardown, which would free the plan's
    records one by one: nothing is left to write (quitting waited for the marks, and
    the cache is written by a process of its own)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


COMMANDS = {
    "check": cmd_check,
    "list": cmd_list,
    "export": cmd_export,
    "mark": cmd_mark,
    "report": cmd_report,
    "import": cmd_import,
    "serve": cmd_serve,
    None: cmd_dashboard,
}


def _left_out_word(token: str) -> bool:
    return len(token) > 1 and token.startswith("-") and not token.startswith("--")


def main(argv: Sequence[str] | None = None) -> int:
    from store.query import QueryError
    from store.storage import StoreError

    collecting = gc.isenabled()
    try:
        parser = _build_parser()
        args, extra = parser.parse_known_args(argv)
        # "-state:implemented" leaves out what it matches: a filter word, not an option.
        if extra and getattr(args, "filter", None) is not None and all(_left_out_word(e) for e in extra):
            args.filter = [*args.filter, *extra]
        elif extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        if args.command is not None:
            # A one-shot command reads the plan, prints and exits: the cycle
            # collector would only walk its 50,000 records again and again
            # (a quarter of `list cycle:all` at that size). Memory is freed by
            # reference counting as usual.
            gc.disable()
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    except (StoreError, QueryError) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``cycleboard list | head``): not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        if os.environ.get("CYCLEBOARD_DEBUG"):
            raise
        print(
            f"{PROG}: internal error: {type(exc).__name__}: {exc} (set CYCLEBOARD_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 1
    finally:
        if collecting:
            gc.enable()  # main() may be called in a process that goes on


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
