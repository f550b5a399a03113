"""No snapshot that this user's cycleboard did not write is ever unpickled.

Each attack plants a pickle that, if loaded, creates a marker file; the plan
must then come from the seeds and the marker must not exist.
"""

from __future__ import annotations

import hmac
import os
import pickle
import shutil
import stat

import pytest

from store import snapshot
from store.board import Board
from tests.conftest import BASE_SEED, run_subprocess
from tests.unit.test_store import BLUEPRINTS, bump_mtime


def evil_pickle(marker) -> bytes:
    """A protocol-0 pickle that calls os.system (the form the issue's reproduction used)."""
    return f"cos\nsystem\n(S'touch {marker}'\ntR.".encode()


@pytest.fixture
def plan_files(seeds):
    for path in (seeds.write("base.toml", BASE_SEED), seeds.write("bps.toml", BLUEPRINTS)):
        bump_mtime(path, -3600)
    return seeds


def signed(key: bytes, payload: bytes) -> bytes:
    return snapshot.MAGIC + hmac.new(key, payload, "sha256").digest() + payload


def _plant_copied(store, marker, tmp_path):
    """A store folder that arrived by clone or copy: the files are ours, mode 0644."""
    (store / "plan.snapshot").write_bytes(evil_pickle(marker))


def _plant_symlink(store, marker, tmp_path):
    """A link in the store folder to a file someone else prepared."""
    bait = tmp_path / "bait"
    bait.write_bytes(evil_pickle(marker))
    (store / "plan.snapshot").unlink(missing_ok=True)
    (store / "plan.snapshot").symlink_to(bait)


def _plant_other_key(store, marker, tmp_path):
    """Framed and signed like ours, with a key that is not this user's."""
    (store / "plan.snapshot").write_bytes(signed(os.urandom(32), evil_pickle(marker)))


def _plant_signed_by_us(store, marker, tmp_path):
    """Even a file carrying our own MAC may not name anything outside the plan's classes."""
    key = snapshot.user_key(create=True)
    (store / "plan.snapshot").write_bytes(signed(key, evil_pickle(marker)))


def _plant_stolen_key(store, marker, tmp_path):
    """A key file others could read is not trusted: the next start makes a new one."""
    key = snapshot.user_key(create=True)
    os.chmod(snapshot.key_path(), 0o644)
    (store / "plan.snapshot").write_bytes(signed(key, evil_pickle(marker)))


ATTACKS = [_plant_copied, _plant_symlink, _plant_other_key, _plant_signed_by_us, _plant_stolen_key]


@pytest.mark.parametrize("plant", ATTACKS, ids=lambda f: f.__name__[7:])
def test_a_planted_snapshot_never_runs_and_the_plan_comes_from_the_seeds(
    plant, plan_files, store_dir, tmp_path
):
    expected = Board(plan_files.path, store_dir).refresh().plan.blueprints
    marker = tmp_path / "PWNED"
    plant(store_dir, marker, tmp_path)
    board = Board(plan_files.path, store_dir).refresh()
    assert not marker.exists()
    assert board.plan.blueprints == expected


@pytest.mark.parametrize("plant", [_plant_copied, _plant_symlink], ids=["copied", "symlink"])
def test_the_command_line_on_a_cloned_store_runs_nothing(plant, plan_files, tmp_path):
    store = tmp_path / "clone-store"
    store.mkdir()
    marker = tmp_path / "PWNED"
    plant(store, marker, tmp_path)
    done = run_subprocess("list", "--seeds", str(plan_files.path), "--store", str(store))
    assert done.returncode == 0, done.stderr
    assert "alpha" in done.stdout
    assert not marker.exists()


def test_the_key_is_private_and_a_real_snapshot_is_still_used(plan_files, store_dir, monkeypatch):
    Board(plan_files.path, store_dir).refresh()
    mode = stat.S_IMODE(snapshot.key_path().stat().st_mode)
    assert mode == 0o600
    loads = []
    monkeypatch.setattr(
        snapshot._PlanUnpickler, "load", lambda self: loads.append(1) or pickle.Unpickler.load(self)
    )
    again = Board(plan_files.path, store_dir).refresh()
    assert loads == [1] and again.stats.parsed == 0


def test_a_snapshot_copied_from_another_users_data_folder_is_refused(
    plan_files, store_dir, tmp_path, monkeypatch
):
    Board(plan_files.path, store_dir).refresh()
    copied = tmp_path / "copied.snapshot"
    shutil.copy(store_dir / "plan.snapshot", copied)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "another-user"))
    with pytest.raises(snapshot.SnapshotRefused):
        snapshot.load(copied)


def test_python_m_tui_in_a_plan_repository_never_imports_its_store_folder(plan_files, tmp_path):
    """A store committed with a plan sits in the working folder, which ``python -m`` puts first."""
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    clone = tmp_path / "clone"
    (clone / "store").mkdir(parents=True)
    marker = tmp_path / "PWNED"
    (clone / "store" / "__init__.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tui",
            "list",
            "--seeds",
            str(plan_files.path),
            "--store",
            str(clone / "store"),
        ],
        capture_output=True,
        text=True,
        cwd=clone,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert not marker.exists()
    assert done.returncode == 0 and "alpha" in done.stdout, done.stderr
