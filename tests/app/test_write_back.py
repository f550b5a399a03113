"""Changes made with cycleboard land in the seed files, where git carries them to the team.

Real git and real files throughout: a mark is a small diff, a teammate's is
merged by ``git pull``, an imported file is never edited, and a folder that
cannot be written keeps the change locally and says so.
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from store.marks import MarksStore
from tests.conftest import BASE_SEED
from tests.dashboard_helpers import build, wait_for, write_two_projects, written
from tests.unit.test_import import LABELS, RELEASES, SPECS
from tui.cli import main
from tui.panes.blueprints import BlueprintsPane

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

TEAM = (
    BASE_SEED
    + """
[defaults]
cycle = "stein"
project = "nova"

# The team's own notes stay where they are.
[[blueprint]]
id = "walrus-telemetry"
title = 'Walrus telemetry'   # odd quoting, a trailing comment
state = 'approved'

[[blueprint.history]]
date = 2018-10-01
state = "approved"

[[blueprint]]
id = "otter-api"
title = "Otter API"
state = "approved"
"""
)


def git(folder: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": "2026-12-04T12:00:00",
        "GIT_COMMITTER_DATE": "2026-12-04T12:00:00",
    }
    done = subprocess.run(
        ["git", "-C", str(folder), *args], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout


def team_repo(root: Path, name: str = "origin") -> Path:
    repo = root / name
    (repo / "seeds").mkdir(parents=True)
    (repo / "seeds" / "plan.toml").write_text(TEAM)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Ada Lovelace")
    git(repo, "config", "user.email", "ada@example.org")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "the plan")
    return repo


def clone(origin: Path, to: Path, who: str) -> Path:
    subprocess.run(["git", "clone", "-q", str(origin), str(to)], check=True)
    git(to, "config", "user.name", who)
    git(to, "config", "user.email", f"{who.split()[0].lower()}@example.org")
    return to


def mark(seeds: Path, store: Path, key: str, state: str, capsys) -> tuple[int, str, str]:
    code = main(["mark", key, state, "--seeds", str(seeds), "--store", str(store)])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_mark_is_a_small_diff_signed_with_the_git_user_name(tmp_path, capsys):
    repo = team_repo(tmp_path)
    code, out, err = mark(repo / "seeds", tmp_path / "store", "walrus-telemetry", "done", capsys)
    assert (code, err) == (0, "")
    assert out.strip() == "stein/nova/walrus-telemetry: approved -> implemented (written to plan.toml)"
    diff = git(repo, "diff", "-U0", "--", "seeds/plan.toml")
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert removed == ["-state = 'approved'"]  # its quoting kept
    dated = [line for line in added if line.startswith("+date = ")]
    assert len(dated) == 1 and sorted(set(added) - set(dated)) == sorted(
        [
            "+state = 'implemented'",
            "+",
            "+[[blueprint.history]]",
            '+state = "implemented"',
            '+by = "Ada Lovelace"',
        ]
    )
    assert len(added) == 6  # git may show the blank line on either side of the entry
    # The journal says where it went; list reads it back from the seed.
    (event,) = MarksStore(tmp_path / "store" / "marks.json").events()
    assert event.where == "plan.toml" and event.by == "Ada Lovelace"
    main(
        [
            "list",
            "walrus",
            "--format",
            "json",
            "--seeds",
            str(repo / "seeds"),
            "--store",
            str(tmp_path / "s2"),
        ]
    )
    (row,) = json.loads(capsys.readouterr().out)
    assert row["state"] == row["seed_state"] == "implemented"
    assert row["history"][-1]["by"] == "Ada Lovelace"


def asks_for_the_author(monkeypatch) -> list[Path]:
    """Each folder git is asked the user name for, from now on."""
    import store.writeback

    asked: list[Path] = []
    real = store.writeback._git_user

    def counted(folder: Path) -> str | None:
        asked.append(folder)
        return real(folder)

    monkeypatch.setattr(store.writeback, "_git_user", counted)
    return asked


def test_commands_that_only_read_never_ask_git_who_is_writing(tmp_path, capsys, monkeypatch):
    repo = team_repo(tmp_path)
    asked = asks_for_the_author(monkeypatch)
    where = ["--seeds", str(repo / "seeds"), "--store", str(tmp_path / "store")]
    for command in (["list"], ["export"], ["report", "--cycle", "stein"], ["check"]):
        assert main([*command, *where]) == 0, capsys.readouterr()
    assert asked == []
    assert main(["mark", "walrus-telemetry", "done", *where]) == 0
    assert asked == [repo / "seeds"]
    (event,) = MarksStore(tmp_path / "store" / "marks.json").events()
    assert event.by == "Ada Lovelace"


@pytest.mark.anyio
async def test_the_dashboard_asks_git_who_is_writing_before_the_first_key(tmp_path, monkeypatch):
    repo = team_repo(tmp_path)
    asked = asks_for_the_author(monkeypatch)
    app = build(repo / "seeds", tmp_path / "store")
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: asked)  # with no key pressed
        assert asked == [repo / "seeds"]
        app.query_one(BlueprintsPane).select_key("stein/nova/walrus-telemetry")
        await pilot.press("space")
        await written(pilot)
    assert asked == [repo / "seeds"]
    assert 'by = "Ada Lovelace"' in (repo / "seeds" / "plan.toml").read_text()


def test_outside_a_work_tree_the_login_name_signs_it(seeds, store_dir, capsys):
    plan = seeds.write("plan.toml", TEAM)
    code, _, _ = mark(seeds.path, store_dir, "otter-api", "started", capsys)
    assert code == 0 and f'by = "{getpass.getuser()}"' in plan.read_text()


def test_two_clones_mark_one_file_and_git_merges_them_and_the_dashboard_shows_it(tmp_path, capsys):
    origin = team_repo(tmp_path)
    git(origin, "config", "receive.denyCurrentBranch", "ignore")
    ada = clone(origin, tmp_path / "ada", "Ada Lovelace")
    bob = clone(origin, tmp_path / "bob", "Bob Babbage")
    assert mark(ada / "seeds", tmp_path / "ada-store", "walrus-telemetry", "done", capsys)[0] == 0
    git(ada, "commit", "-qam", "walrus done")
    git(ada, "push", "-q", "origin", "main")
    assert mark(bob / "seeds", tmp_path / "bob-store", "otter-api", "blocked", capsys)[0] == 0
    git(bob, "commit", "-qam", "otter blocked")

    async def pull_while_the_dashboard_runs() -> None:
        app = build(bob / "seeds", tmp_path / "bob-store", cycle="stein", watch_files=True)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for(pilot, lambda: any(w.group == "watch" and w.is_running for w in app.workers))
            await pilot.pause(0.3)
            pane = app.query_one(BlueprintsPane)
            pane.select_key("stein/nova/otter-api")
            assert app.board.state_of("stein/nova/walrus-telemetry").value == "approved"
            git(bob, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")  # merges without a conflict
            await wait_for(
                pilot, lambda: app.board.state_of("stein/nova/walrus-telemetry").value == "implemented"
            )
            assert app.board.state_of("stein/nova/otter-api").value == "blocked"
            assert pane.current.blueprint.key == "stein/nova/otter-api"  # the cursor stayed
            walrus = app.board.row("stein/nova/walrus-telemetry").blueprint
            assert walrus.history[-1].by == "Ada Lovelace"

    import asyncio

    asyncio.run(pull_while_the_dashboard_runs())
    merged = (bob / "seeds" / "plan.toml").read_text()
    assert "<<<<" not in merged and 'by = "Ada Lovelace"' in merged and 'by = "Bob Babbage"' in merged
    assert main(["check", "--seeds", str(bob / "seeds")]) == 0


def test_an_imported_blueprint_is_changed_in_an_override_the_import_keeps(tmp_path, capsys):
    seeds = tmp_path / "seeds"
    assert (
        main(
            [
                "import",
                "releases",
                str(RELEASES),
                "--labels",
                str(LABELS),
                "--out",
                str(seeds),
                "--cycle",
                "zed,2023.1",
            ]
        )
        == 0
    )
    assert main(["import", "nova-specs", str(SPECS), "--out", str(seeds)]) == 0
    capsys.readouterr()
    imported = {p: p.read_bytes() for p in seeds.rglob("*.toml")}
    store = tmp_path / "store"
    code, out, err = mark(seeds, store, "zed/nova/libvirt-virtiofs", "blocked", capsys)
    assert (code, err) == (0, "") and "(written to overrides.toml)" in out
    assert {p: p.read_bytes() for p in imported} == imported  # no generated file was edited
    overrides = (seeds / "overrides.toml").read_text()
    assert 'blueprint = "zed/nova/libvirt-virtiofs"' in overrides and 'state = "blocked"' in overrides
    assert main(["check", "--seeds", str(seeds)]) == 0
    capsys.readouterr()
    # A second change to it edits the same override.
    assert mark(seeds, store, "zed/nova/libvirt-virtiofs", "done", capsys)[0] == 0
    lines = (seeds / "overrides.toml").read_text().splitlines()
    assert lines.count("[[override]]") == 1 and lines.count("[[override.history]]") == 2
    # The import again: nothing written, the override kept and named.
    kept = (seeds / "overrides.toml").read_bytes()
    assert main(["import", "nova-specs", str(SPECS), "--out", str(seeds)]) == 0
    out, _ = capsys.readouterr()
    assert "0 file(s) written" in out and "the override stays" in out
    assert {p: p.read_bytes() for p in imported} == imported and (
        seeds / "overrides.toml"
    ).read_bytes() == kept
    main(["list", "virtiofs", "--format", "json", "--seeds", str(seeds), "--store", str(tmp_path / "s2")])
    (row,) = json.loads(capsys.readouterr().out)
    assert row["state"] == "implemented" and [h["state"] for h in row["history"]] == [
        "blocked",
        "implemented",
    ]


def test_seeds_that_are_not_ours_keep_the_change_locally_and_say_why(seeds, store_dir, capsys):
    plan = seeds.write("plan.toml", TEAM)
    seeds.local_only()
    before = plan.read_bytes()
    code, out, err = mark(seeds.path, store_dir, "otter-api", "started", capsys)
    assert code == 0 and out.strip() == "stein/nova/otter-api: approved -> started (kept locally)"
    assert err.startswith("cycleboard: kept locally: ") and err.count("\n") == 1
    assert plan.read_bytes() == before
    (event,) = MarksStore(store_dir / "marks.json").events()
    assert event.where == ""


@pytest.mark.anyio
async def test_the_dashboard_says_once_that_changes_are_kept_locally(seeds, store_dir):
    write_two_projects(seeds)
    seeds.local_only()
    app = build(seeds.path, store_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(BlueprintsPane)
        for key in ("stein/nova/alpha", "stein/nova/beta"):
            pane.select_key(key)
            await pilot.press("space")
            await wait_for(pilot, lambda: app.board.unsaved == 0)
            await pilot.pause()
        said = [str(n.message) for n in app._notifications if "kept locally" in str(n.message)]
        assert len(said) == 1 and ("belongs to another user" in said[0] or "read-only" in said[0]), said
        assert app.board.state_of("stein/nova/beta").value == "implemented"


@pytest.mark.anyio
async def test_undo_later_writes_the_reverse_change_and_keeps_what_was_edited_since(seeds, store_dir):
    write_two_projects(seeds)
    stein = seeds.path / "stein.toml"
    app = build(seeds.path, store_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        app.query_one(BlueprintsPane).select_key("stein/nova/alpha")
        await pilot.press("space")
        await wait_for(pilot, lambda: 'state = "implemented"' in stein.read_text() and app.board.unsaved == 0)
        await pilot.pause()
        stein.write_text(stein.read_text().replace("Beta feature", "Beta feature, renamed by hand"))
        await pilot.press("u")
        await wait_for(pilot, lambda: stein.read_text().count('state = "approved"') == 2)
    text = stein.read_text()
    assert "Beta feature, renamed by hand" in text  # the hand edit made since stays
    assert text.count("[[blueprint.history]]") == 2  # the mark's entry and the reverse's
    events = MarksStore(store_dir / "marks.json").events()
    assert [(e.state.value, e.where) for e in events] == [
        ("implemented", "stein.toml"),
        ("approved", "stein.toml"),
    ]


@pytest.mark.parametrize(
    "damage, words",
    [
        ("broken", "has errors"),
        ("gone", "is no longer in"),
    ],
)
def test_a_file_with_an_error_or_without_the_blueprint_is_not_edited(seeds, store_dir, capsys, damage, words):
    from store.board import Board

    plan = seeds.write("plan.toml", TEAM)
    board = Board(seeds.path, store_dir).refresh()  # read before the file changes under it
    if damage == "broken":
        plan.write_text(TEAM + "\n[[blueprint]]\nid = 3\n")
    else:
        plan.write_text(TEAM.replace('id = "otter-api"', 'id = "otter-rest-api"'))
    before = plan.read_bytes()
    from store.model import State
    from store.seed_edit import EditRefused

    with pytest.raises(EditRefused, match=words):
        board.mark("stein/nova/otter-api", State.BLOCKED, via="cli")
    assert plan.read_bytes() == before
    assert MarksStore(store_dir / "marks.json").events() == []


@pytest.mark.anyio
async def test_undo_right_after_a_mark_puts_the_file_back_byte_for_byte(seeds, store_dir):
    write_two_projects(seeds)
    stein = seeds.path / "stein.toml"
    original = stein.read_bytes()
    app = build(seeds.path, store_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(BlueprintsPane)
        pane.select_key("stein/nova/alpha")
        await pilot.press("space")
        await wait_for(pilot, lambda: stein.read_bytes() != original and app.board.unsaved == 0)
        await pilot.pause()
        await pilot.press("u")
        await wait_for(pilot, lambda: stein.read_bytes() == original and app.board.unsaved == 0)
        assert pane.current.state.value == "approved"
    events = MarksStore(store_dir / "marks.json").events()
    assert [(e.state.value, e.previous.value, e.where) for e in events] == [
        ("implemented", "approved", "stein.toml"),
        ("approved", "implemented", "stein.toml"),
    ]


@pytest.mark.anyio
async def test_undo_is_said_only_once_it_is_written(seeds, store_dir):
    write_two_projects(seeds)
    stein = seeds.path / "stein.toml"
    app = build(seeds.path, store_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(BlueprintsPane)
        said = lambda: [str(n.message) for n in app._notifications]  # noqa: E731
        for broken in (False, True):
            pane.select_key("stein/nova/alpha")
            before = stein.read_bytes()
            await pilot.press("space")
            await wait_for(
                pilot, lambda before=before: stein.read_bytes() != before and app.board.unsaved == 0
            )
            if broken:  # an editor leaves the file with an error: it must not be edited
                stein.write_text(
                    stein.read_text() + '\n[[blueprint]]\nid = "x"\ntitle = "X"\nstate = "finished"\n'
                )
            app.clear_notifications()
            await pilot.press("u")
            await wait_for(pilot, lambda: app.board.unsaved == 0 and said())
            await pilot.pause(0.2)
            if broken:
                assert not any(s.startswith("Undone") for s in said()), said()
                assert any("has errors" in s for s in said()) and pane.current.state.value == "implemented"
            else:
                assert said() == ["Undone: stein/nova/alpha is approved again"]


def test_a_change_a_later_dated_fact_outranks_is_refused_not_reported(tmp_path, capsys):
    """The newest dated fact wins: a change written today would lose to an entry dated ahead,
    so it is not written, and the command says why and exits 1."""
    seeds = team_repo(tmp_path) / "seeds"
    (seeds / "imported.toml").write_text(
        '[[history]]\ncycle = "stein"\nblueprint = "nova/otter-api"\ndate = 2999-01-01\n'
        'state = "implemented"\nby = "an import"\n'
    )
    before = (seeds / "plan.toml").read_bytes()
    code, out, err = mark(seeds, tmp_path / "store", "otter-api", "started", capsys)
    assert (code, out) == (1, "")
    assert "another file dates it implemented by an import on 2999-01-01" in err and "stays in force" in err
    assert (seeds / "plan.toml").read_bytes() == before
    # Once that entry is gone, the same change is written and takes effect.
    (seeds / "imported.toml").unlink()
    assert mark(seeds, tmp_path / "store", "otter-api", "started", capsys)[0] == 0
    assert 'state = "started"' in (seeds / "plan.toml").read_text()
