"""A corpus of broken seed files: each one is named precisely, and nothing else suffers.

Every case puts one bad file next to the good plan in ``bad_seeds/base.toml``
and checks three readers of it:

- ``cycleboard check`` in a real process: the error line (``FILE:LINE:COL``
  where the file has lines), exit 1, no traceback, no hang;
- ``cycleboard list --format json``: the good plan's blueprints, all of them;
- the dashboard: the error visible on screen, the good plan's rows shown.

Files that git cannot hold (20 MiB, a folder, links, a FIFO, a file nobody
may read) are made by the test itself.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from store.board import Board
from store.plan import assemble, seed_files
from store.seeds import MAX_SEED_BYTES, parse_file
from tests.conftest import REPO
from tests.dashboard_helpers import build
from tests.privileges import bound_by_permissions
from tui.panes.blueprints import BlueprintsPane
from tui.widgets.bars import ProblemBar

CORPUS = Path(__file__).parent.parent / "bad_seeds"
GOOD_KEYS = {"stein/nova/good-one", "stein/nova/good-two", "stein/cinder/good-three"}
# A process that has not answered in this long is hung, not slow.
HANG = 60


def write_large(path: Path) -> None:
    """20 MiB of otherwise valid TOML: one blueprint with a huge description."""
    size = 20 * 2**20
    head = b'[[theme]]\nid = "huge"\ncycle = "stein"\nproject = "nova"\ntitle = "Huge"\ndescription = "'
    path.write_bytes(head + b"x" * (size - len(head) - 2) + b'"\n')


def make_unreadable(path: Path) -> None:
    shutil.copy(CORPUS / "cases" / "unknown-state.toml", path)
    path.chmod(0)


@dataclass(frozen=True)
class Case:
    name: str  # the file's name in the seeds folder
    where: str  # "LINE:COL" after the file name, or "" where the problem has no line
    fragment: str  # part of the message
    make: Callable[[Path], None] | None = None  # builds the file; default: copy it from cases/
    needs_permissions: bool = False  # the reader must be bound by permission bits

    @property
    def place(self) -> str:
        return f"{self.name}:{self.where}: " if self.where else f"{self.name}: "


CASES = [
    Case("syntax-error.toml", "5:28", "TOML syntax: Illegal character '\\n'"),
    Case("wrong-type.toml", "6:1", "'reviews' must be a list of whole numbers, not a string"),
    Case("unknown-key.toml", "6:1", "unknown key 'priority' (expected one of: id, cycle"),
    Case("unknown-state.toml", "6:1", "unknown state 'finished' (expected one of proposed"),
    Case(
        "duplicate-key.toml",
        "2:1",
        "blueprint 'stein/nova/good-one': duplicate key (already defined at base.toml:16)",
    ),
    Case("dangling-reference.toml", "6:32", "refers to unknown blueprint 'nova/no-such-blueprint'"),
    Case("impossible-date.toml", "8:8", "TOML syntax: Invalid date"),
    Case("not-utf8.toml", "5:13", "not UTF-8 text (byte 0xe9); save the file as UTF-8"),
    Case("binary.toml", "3:1", "binary data (a NUL byte), not a TOML text file"),
    Case(
        "large.toml",
        "",
        f"too large (20.0 MiB; a seed file may hold at most {MAX_SEED_BYTES // 2**20} MiB)",
        make=write_large,
    ),
    Case("folder.toml", "", "is a folder, not a seed file", make=lambda p: p.mkdir()),
    Case(
        "loop.toml",
        "",
        "a symlink loop (following the link leads back to it)",
        make=lambda p: p.symlink_to(p.name),
    ),
    Case(
        "sub/back", "", "a symlink loop (links back to", make=lambda p: (p.parent.mkdir(), p.symlink_to(".."))
    ),
    Case("pipe.toml", "", "not a regular file (a pipe, socket or device)", make=lambda p: os.mkfifo(p)),
    Case(
        "unreadable.toml", "", "cannot read: Permission denied", make=make_unreadable, needs_permissions=True
    ),
]


@pytest.fixture(params=CASES, ids=lambda c: c.name)
def case(request, tmp_path):
    """A seeds folder holding the good plan and the case's file."""
    case: Case = request.param
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(CORPUS / "base.toml", folder / "base.toml")
    target = folder / case.name
    if case.make:
        case.make(target)
    else:
        shutil.copy(CORPUS / "cases" / case.name, target)
    yield case, folder
    if target.exists() and not target.is_symlink():
        target.chmod(0o700)  # so that tmp_path can be removed


def run_cli(*args: str, bound: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=HANG,
        preexec_fn=bound_by_permissions() if bound else None,
    )


def test_check_names_the_file_and_place_and_exits_1(case, tmp_path):
    case, folder = case
    result = run_cli("check", "--seeds", str(folder), bound=case.needs_permissions)
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if not line.startswith(f"{folder}: ")]
    assert (
        len(errors) == 1 and errors[0].startswith(f"{folder}/{case.place}") and case.fragment in errors[0]
    ), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "1 error(s) in 2 files, 1 cycles, 2 projects" in result.stderr


def test_the_rest_of_the_plan_lists_unaffected(case, tmp_path):
    case, folder = case
    result = run_cli(
        "list",
        "--seeds",
        str(folder),
        "--store",
        str(tmp_path / "store"),
        "--format",
        "json",
        bound=case.needs_permissions,
    )
    assert result.returncode == 0, result.stderr
    assert {row["key"] for row in json.loads(result.stdout)} == GOOD_KEYS
    assert case.fragment in result.stderr  # told once, on stderr
    assert "Traceback" not in result.stderr


def dashboard_sees(seeds: Path, store: Path) -> dict:
    """Open the dashboard on ``seeds`` and report what is on screen."""

    async def look() -> dict:
        app = build(seeds, store)
        async with app.run_test(size=(160, 36)) as pilot:
            await pilot.pause()
            bar = app.query_one(ProblemBar)
            return {
                "problem": str(bar.render()) if bar.display else "",
                "rows": sorted(row.blueprint.key for row in app.query_one(BlueprintsPane).rows),
                "themes": sorted(app.board.plan.themes),
            }

    # In a thread, so that a reader that blocks (on a FIFO, say) fails the test, not hangs it.
    seen: dict = {}

    def run() -> None:
        try:
            seen.update(asyncio.run(look()))
        except BaseException as exc:  # noqa: BLE001 - handed to the test below
            seen["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(HANG)
    assert not thread.is_alive(), f"the dashboard hung on {seeds} for {HANG} s"
    if "error" in seen:
        raise seen["error"]
    return seen


def test_the_dashboard_shows_the_error_and_the_good_plan(case, tmp_path):
    case, folder = case
    store = tmp_path / "store"
    if case.needs_permissions and bound_by_permissions():
        # This process may read anything; ask a child that may not.
        probe = subprocess.run(
            [
                sys.executable,
                "-c",
                "import json, sys; from pathlib import Path; "
                "from tests.app.test_bad_seeds import dashboard_sees; "
                "print(json.dumps(dashboard_sees(Path(sys.argv[1]), Path(sys.argv[2]))))",
                str(folder),
                str(store),
            ],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=HANG,
            preexec_fn=bound_by_permissions(),
        )
        assert probe.returncode == 0, probe.stderr
        seen = json.loads(probe.stdout)
    else:
        seen = dashboard_sees(folder, store)
    assert f"{case.place}" in seen["problem"] and case.fragment in seen["problem"]
    assert "showing the last good data" in seen["problem"]
    assert set(seen["rows"]) == GOOD_KEYS
    assert "stein/good-theme" in seen["themes"]


def test_an_empty_file_is_valid_and_holds_nothing(tmp_path):
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(CORPUS / "base.toml", folder)
    shutil.copy(CORPUS / "cases" / "empty.toml", folder)
    result = run_cli("check", "--seeds", str(folder))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "ok: 2 files, 1 cycles, 2 projects, 1 themes, 1 sessions, 3 blueprints" in result.stdout
    seen = dashboard_sees(folder, tmp_path / "store")
    assert seen["problem"] == "" and set(seen["rows"]) == GOOD_KEYS


def test_a_file_deleted_between_listing_and_reading_is_reported(tmp_path, monkeypatch):
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(CORPUS / "base.toml", folder)
    doomed = folder / "doomed.toml"
    shutil.copy(CORPUS / "cases" / "unknown-key.toml", doomed)

    def listing_then_delete(root):
        found = seed_files(root)
        doomed.unlink(missing_ok=True)
        return found

    plan = assemble(parse_file(p, p.relative_to(folder).as_posix()) for p in listing_then_delete(folder))
    assert [str(e) for e in plan.problems] == ["doomed.toml: vanished while being read"]
    assert set(plan.blueprints) == GOOD_KEYS

    shutil.copy(CORPUS / "cases" / "unknown-key.toml", doomed)
    monkeypatch.setattr(
        "store.cache.plan_cache.walk_seeds",
        lambda root: ([(str(p), p.name) for p in listing_then_delete(root)], False),
    )
    seen = dashboard_sees(folder, tmp_path / "store")
    assert "doomed.toml: vanished while being read" in seen["problem"]
    assert set(seen["rows"]) == GOOD_KEYS


def test_a_file_replaced_and_deleted_while_being_read_never_breaks_a_reader(tmp_path):
    """A writer thread swaps one file between versions, deletes it and rewrites it in place,
    as fast as it can, while the plan is read again and again."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(CORPUS / "base.toml", folder)
    racing = folder / "racing.toml"
    versions = [
        f'[[blueprint]]\nid = "racer"\ncycle = "stein"\nproject = "nova"\ntitle = "Version {n}"\n'.encode()
        for n in range(3)
    ]
    stop = threading.Event()

    def writer() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            data = versions[n % 3]
            if n % 4 == 0:
                racing.unlink(missing_ok=True)
            elif n % 4 == 1:
                racing.write_bytes(data)  # in place: a reader may see half of it
            else:
                spare = folder / f".racing.{n}.tmp"
                spare.write_bytes(data)
                os.replace(spare, racing)  # atomic, as editors save

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    board = Board(folder, tmp_path / "store")
    outcomes = set()
    try:
        for _ in range(150):
            for plan in (
                assemble(parse_file(p, p.relative_to(folder).as_posix()) for p in seed_files(folder)),
                board.refresh().plan,
            ):
                assert set(plan.blueprints) >= GOOD_KEYS
                for error in plan.problems:
                    assert error.path.endswith("racing.toml"), str(error)
                    outcomes.add(error.message.split(":")[0])
                racer = plan.blueprints.get("stein/nova/racer")
                if racer:
                    assert racer.title in {"Version 0", "Version 1", "Version 2"}
    finally:
        stop.set()
        thread.join()
    # Once the writer is done, the reader catches up with the last version.
    racing.write_bytes(versions[0])
    assert board.refresh().plan.blueprints["stein/nova/racer"].title == "Version 0"
    assert outcomes <= {"vanished while being read", "TOML syntax"}, outcomes


def test_a_linked_folder_is_read_once_and_a_second_link_to_it_is_named(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "more.toml").write_text(
        '[[blueprint]]\nid = "linked"\ncycle = "stein"\nproject = "nova"\ntitle = "From a linked folder"\n'
    )
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(CORPUS / "base.toml", folder)
    (folder / "shared").symlink_to(elsewhere)
    (folder / "zz-again").symlink_to(elsewhere)
    plan = assemble(parse_file(p, p.relative_to(folder).as_posix()) for p in seed_files(folder))
    assert set(plan.blueprints) == GOOD_KEYS | {"stein/nova/linked"}
    assert [str(e) for e in plan.problems] == [
        f"zz-again: a link to {elsewhere}, a folder already read; not followed"
    ]
