"""Shared fixtures: seed folders written on the fly, isolated stores, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import settings

from tui.cli import main

# CI replays the same generated examples every run, so a green main stays
# green; run without the profile to let hypothesis look for new cases.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "seeds"

BASE_SEED = """
[[project]]
id = "nova"

[[project]]
id = "cinder"

[[cycle]]
id = "stein"
name = "Stein"
start = 2018-08-30
release = 2019-04-10
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test is marked by its folder: unit (the data layer), app (Pilot and
    snapshots) or system (processes, tmux, the benchmark); ``-m unit`` is the quick set.

    The tests marked slow go first: handed out to the workers at the start,
    they end beside the short ones instead of one of them ending the run alone.
    """
    for item in items:
        folder = Path(str(item.fspath)).parent.name
        if folder in ("unit", "app", "system"):
            item.add_marker(folder)
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: two workers a core. A Pilot test spends about half its time
    asleep, waiting for Textual to go idle, and a system test waiting for
    other processes; two to a core keep the cores busy."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return 2 * cores


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path_factory, monkeypatch):
    """Never touch the real user data or config folders or a developer's settings.

    platformdirs follows XDG only on Linux: the folders it gives are replaced
    outright, so a developer's own keymap or store is never read on any system."""
    import platformdirs

    import tui.user_keymap

    data_home = tmp_path_factory.mktemp("data-home")
    config_home = tmp_path_factory.mktemp("config-home")
    monkeypatch.setenv("CYCLEBOARD_STORE", str(tmp_path_factory.mktemp("default-store")))
    monkeypatch.setenv("XDG_DATA_HOME", str(data_home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    # As XDG has them, on every system; a test may point XDG_DATA_HOME elsewhere (another user).
    monkeypatch.setattr(
        platformdirs, "user_data_path", lambda *a, **k: Path(os.environ["XDG_DATA_HOME"]) / "cycleboard"
    )
    monkeypatch.setattr(
        tui.user_keymap,
        "user_config_path",
        lambda *a, **k: Path(os.environ["XDG_CONFIG_HOME"]) / "cycleboard",
    )
    for name in [n for n in os.environ if n.startswith("CYCLEBOARD_") and n != "CYCLEBOARD_STORE"]:
        monkeypatch.delenv(name)  # a developer's own keymap or seeds change what the tests see


@pytest.fixture(scope="session", autouse=True)
def _shipped_plan_untouched():
    """No test may edit the repository's own seeds: changes go into seed files, so a test
    that marked the shipped plan by mistake would change the project."""
    import hashlib

    def digest() -> dict[str, str]:
        return {
            p.relative_to(SHIPPED).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(SHIPPED.rglob("*"))
            if p.is_file()
        }

    before = digest()
    yield
    assert digest() == before, "a test changed the repository's seeds/"


@pytest.fixture
def anyio_backend():
    """Textual runs on asyncio."""
    return "asyncio"


@pytest.fixture
def seeds(tmp_path):
    """A seeds folder; ``seeds.write(name, text)`` adds a file (dedented)."""
    folder = tmp_path / "seeds"
    folder.mkdir()

    class Seeds:
        path = folder
        kept_locally = False

        def write(self, name: str, text: str) -> Path:
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists() and self.kept_locally:
                target.unlink()  # the test plays a teammate or an editor: it may write here
            target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
            if self.kept_locally:
                not_ours(target)
            return target

        def local_only(self) -> None:
            """Make every file here one cycleboard may not edit: changes stay in the marks store."""
            self.kept_locally = True
            for path in folder.rglob("*.toml"):
                not_ours(path)

    return Seeds()


NOBODY = 65534


def not_ours(path: Path) -> None:
    """A seed file this user may not edit: another user's (root can write anything), or read-only."""
    if os.geteuid() == 0:
        os.chown(path, NOBODY, NOBODY)
    else:
        path.chmod(0o444)


@pytest.fixture
def store_dir(tmp_path):
    folder = tmp_path / "store"
    folder.mkdir()
    return folder


@pytest.fixture
def cli(capsys):
    """Run the command line in-process; returns (exit code, stdout, stderr)."""

    def run(*args: str):
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def run_subprocess(*args: str, env: dict | None = None, cwd: Path | None = None):
    """Run ``python -m tui`` for real, as a user would."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or REPO,
        timeout=120,
    )


def plan_cache_text(store_dir: Path) -> str:
    """What the plan cache holds for every file, as the JSON its records were written in."""
    import json

    data = json.loads((store_dir / "plan.json").read_text(encoding="utf-8"))
    return "\n".join(entry.get("good") or "" for entry in data["files"].values())


def cache_text_within(store_dir: Path, text: str, seconds: float = 30.0) -> bool:
    """Whether the plan cache comes to hold ``text`` within ``seconds``: a dashboard's
    cache is written by a process of its own (PlanCache.persist_detached)."""
    import time

    deadline = time.monotonic() + seconds
    while text not in plan_cache_text(store_dir):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
