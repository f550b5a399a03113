"""Counting the seed files git has not committed, with real git."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from store.git_status import uncommitted_seed_files


def git(folder, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(folder), "-c", "user.name=Test", "-c", "user.email=t@example.org", *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path):
    if shutil.which("git") is None:
        pytest.fail("git is not installed; cycleboard's git awareness is tested with real git")
    root = tmp_path / "plan"
    (root / "seeds" / "nova-specs").mkdir(parents=True)
    for name in ("stein.toml", "rocky.toml", "nova-specs/stein.toml"):
        (root / "seeds" / name).write_text('[[project]]\nid = "nova"\n')
    (root / "README.md").write_text("plan\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "plan")
    return root


def test_a_clean_work_tree_has_none(repo):
    assert uncommitted_seed_files(repo / "seeds") == 0


def test_modified_added_deleted_and_renamed_seed_files_count_and_others_do_not(repo):
    seeds = repo / "seeds"
    (seeds / "stein.toml").write_text('[[project]]\nid = "cinder"\n')  # modified
    (seeds / "nova-specs" / "new.toml").write_text("")  # untracked, in a subfolder
    (seeds / "rocky.toml").unlink()  # deleted
    (seeds / "notes.txt").write_text("not a seed")  # untracked, not a seed
    (repo / "README.md").write_text("changed, outside the seeds\n")
    assert uncommitted_seed_files(seeds) == 3
    git(repo, "mv", "seeds/nova-specs/stein.toml", "seeds/nova-specs/stein-moved.toml")
    assert uncommitted_seed_files(seeds) == 4  # the rename counts once
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "more")
    assert uncommitted_seed_files(seeds) == 0


def test_a_folder_outside_any_work_tree_has_no_count(tmp_path):
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "a.toml").write_text("")
    assert uncommitted_seed_files(folder) is None


@pytest.mark.anyio
async def test_the_dashboard_counts_uncommitted_seed_files_after_a_change_and_a_reload(tmp_path):
    from tests.dashboard_helpers import build, wait_for, write_two_projects
    from tui.widgets.bars import StatusBar

    root = tmp_path / "plan"
    seeds = root / "seeds"
    seeds.mkdir(parents=True)

    class Seeds:
        path = seeds

        def write(self, name: str, text: str) -> None:
            (seeds / name).write_text(text.lstrip("\n"))

    write_two_projects(Seeds())
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "plan")
    app = build(seeds, tmp_path / "store", watch_files=True)
    async with app.run_test(size=(120, 36)) as pilot:
        bar = app.query_one(StatusBar)
        await wait_for(pilot, lambda: app.uncommitted == 0, 10)
        assert "uncommitted" not in str(bar.render())
        await wait_for(pilot, lambda: any(w.group == "watch" and w.is_running for w in app.workers), 10)
        await pilot.pause(0.3)
        stein = seeds / "stein.toml"
        stein.write_text(stein.read_text().replace('"Beta feature"', '"Beta, edited"'))
        await wait_for(pilot, lambda: "1 uncommitted" in str(bar.render()), 10)
        git(root, "commit", "-qam", "edit")  # nothing in the seeds changes: r asks again
        await pilot.press("r")
        await wait_for(pilot, lambda: "uncommitted" not in str(bar.render()), 10)
