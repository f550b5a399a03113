"""Where a change made with cycleboard goes: into the seed file that defines what changed.

The seeds are the team's plan and git is how the team shares it, so a state
set on a blueprint is written into the file that defines the blueprint (see
:mod:`store.seed_edit` for the edit, :mod:`store.seed_write` for writing it
safely).  Two kinds of file are never edited:

- a file an import wrote (its first line says so): the change goes to an
  ``[[override]]`` in ``overrides.toml`` at the top of the seeds folder, a
  hand-written file the import never writes, and which wins over it;
- a file this user cannot write (the plan installed with cycleboard, a
  read-only checkout, a file owned by someone else): the change is kept in
  the local marks store, and the user is told why.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli

from store.import_mark import generated_by
from store.paths import display_path, shipped_seeds
from store.seed_edit import (
    EditRefused,
    blueprint_text,
    carry_blueprint,
    newline_of,
    remove_blueprint,
    set_action_done,
    set_blueprint_state,
    set_runway_queue,
    toml_string,
)
from store.seed_write import Written, edit_seed, undo_edit
from store.seeds import slugify
from store.storage import WriteGate

OVERRIDES_FILE = "overrides.toml"
_OVERRIDES_HEAD = (
    "# Changes made with cycleboard to what an import wrote.",
    "# Imported files are never edited; an [[override]] here wins over them (see docs/seeds.md).",
)
_GIT_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Target:
    """The seed file a change is written into."""

    path: Path
    rel: str  # its name under the seeds folder
    table: str = "blueprint"  # "override": the blueprint is an import's, the change goes beside it


@dataclass(frozen=True)
class KeptLocally:
    """The change cannot go into the seeds; ``reason`` says why, in a few words."""

    reason: str


class AlreadyThere(EditRefused):
    """The seed file already says it (a teammate's change landed first); nothing was written."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class SeedWriter:
    """Writes changes into one seeds folder; its lock lives in the store folder."""

    def __init__(
        self,
        seeds_dir: Path,
        lock_dir: Path,
        clean_shas: Callable[[str], set[str]] = lambda rel: set(),
        gate: WriteGate | None = None,
    ) -> None:
        """``clean_shas(rel)``: digests of texts of a file known to have no error (see edit_seed).
        ``gate``: once closed, an edit still waiting for the seeds lock is not made (GaveUp)."""
        self.seeds_dir = seeds_dir
        self.lock_dir = lock_dir
        self.clean_shas = clean_shas
        self.gate = gate
        self._who: str | None = None
        self.shipped = _same_folder(seeds_dir, shipped_seeds())
        self._shown = display_path(seeds_dir).rstrip("/") + "/"

    # -- where ---------------------------------------------------------------------
    def target(self, rel: str) -> Target | KeptLocally:
        """Where a change to a record defined in ``rel`` goes."""
        shown = self._shown
        if self.shipped:
            return KeptLocally(
                f"{shown} is the plan shipped with cycleboard, which it does not edit "
                "(copy it into a folder of your own to make it your team's)"
            )
        path = self.seeds_dir / rel
        if generated_by(path):
            path, rel = self.seeds_dir / OVERRIDES_FILE, OVERRIDES_FILE
            if not path.exists():
                return (
                    Target(path, rel, "override")
                    if _writable(self.seeds_dir)
                    else KeptLocally(f"{shown} is read-only")
                )
            table = "override"
        else:
            table = "blueprint"
        if not _writable(path.parent):
            return KeptLocally(f"{shown} is read-only")
        try:
            found = path.stat()
        except OSError as exc:
            return KeptLocally(f"{rel} cannot be read ({exc.strerror or exc})")
        if found.st_uid != os.geteuid():
            return KeptLocally(f"{rel} belongs to another user")
        if not os.access(path, os.W_OK):
            return KeptLocally(f"{rel} is read-only")
        return Target(path, rel, table)

    def who(self) -> str:
        """Who a change is by: git's ``user.name`` where the seeds are in a work tree, else the login."""
        if self._who is None:
            self._who = _git_user(self.seeds_dir) or _login()
        return self._who

    # -- writing -------------------------------------------------------------------
    def set_state(
        self,
        target: Target,
        key: str,
        state: str,
        seed_state: str,
        day: dt.date,
        then: Callable[[Written, str], None] | None = None,
    ) -> tuple[Written, str]:
        """Write ``state`` for blueprint ``key`` into ``target``, with a history entry dated ``day``.

        Returns the edit and the state the file gave the blueprint just before;
        ``then`` gets both while the seeds lock is still held.
        ``seed_state`` is the state the seed had when the change was decided:
        a file that says ``state`` already while it said something else then was
        changed meanwhile (a teammate, another dashboard), and raises :class:`AlreadyThere`.
        """
        by = self.who()
        found: list[str] = []

        def edit(text: str) -> str:
            if target.table == "override":
                found.append(seed_state)
                return _override_state(text, key, state, day, by)
            index, item = _find_blueprint(text, key, target.rel)
            now_says = str(item.get("state", "proposed")).lower()
            now_says = "implemented" if now_says == "done" else now_says
            if now_says == state and now_says != seed_state:
                raise AlreadyThere(f"{key}: {target.rel} already says {state}")
            found.append(now_says)
            return set_blueprint_state(text, index, state, day, by)

        written = self._edit(target, edit, then and (lambda done: then(done, found[-1])))
        return written, found[-1]

    def carry(self, target: Target, key: str, to: str, day: dt.date) -> Written:
        """Defer blueprint ``key`` in its file and propose a copy of it in cycle ``to`` beside it."""
        by = self.who()

        def edit(text: str) -> str:
            index, _item = _find_blueprint(text, key, target.rel)
            return carry_blueprint(text, index, to, day, by)

        if target.table == "override":
            raise EditRefused(
                f"{key} was written by an import, which cycleboard does not edit; "
                "carry it over in a file of your own"
            )
        return self._edit(target, edit)

    def uncarry(self, target: Target, key: str, moved_key: str, state: str, carried: Written) -> Written:
        """Take back a carry written as ``carried``: the copy in the next cycle goes (if it is still
        as the carry wrote it) and blueprint ``key`` gets ``state`` again, as a change of its own."""
        by = self.who()

        def edit(text: str) -> str:
            try:
                index, _ = _find_blueprint(text, moved_key, target.rel)
            except EditRefused:
                index = None
            if index is not None:
                was = carried.after.decode("utf-8")
                then, _ = _find_blueprint(was, moved_key, target.rel)
                if blueprint_text(was, then) != blueprint_text(text, index):
                    raise EditRefused(f"{moved_key} was changed since it was carried over; undo it by hand")
                text = remove_blueprint(text, index)
            old, _ = _find_blueprint(text, key, target.rel)
            return set_blueprint_state(text, old, state, dt.date.today(), by)

        return self._edit(target, edit)

    def tick_action(self, rel: str, session_key: str, action: int, done: bool) -> Written:
        """Set ``done`` of a session's ``action``-th action item."""
        target = self.target(rel)
        if isinstance(target, KeptLocally):
            raise EditRefused(f"action items are ticked in the seed files, and {target.reason}")
        if target.table == "override":
            raise EditRefused(f"{rel} was written by an import, which cycleboard does not edit")

        def edit(text: str) -> str:
            index = _find_session(text, session_key, rel)
            return set_action_done(text, index, action, done)

        return self._edit(Target(target.path, target.rel), edit)

    def set_queue(
        self,
        target: Target,
        cycle: str,
        entries: Iterable[tuple[str, dt.date | None]],
        resolve: Callable[[str], str | None],
    ) -> Written:
        """Rewrite ``cycle``'s ``[[runway]]`` tables in ``target`` as ``entries`` (``(key, start)``).

        ``resolve`` gives the blueprint key of a runway's ``blueprint`` as written.
        """

        def edit(text: str) -> str:
            data = tomli.loads(text)
            defaults = _defaults(data)
            indices, keys = [], []
            for index, item in enumerate(data.get("runway") or []):
                if isinstance(item, dict) and item.get("cycle", defaults.get("cycle")) == cycle:
                    indices.append(index)
                    keys.append(resolve(str(item.get("blueprint", ""))))

            def new_table(key: str, start: dt.date | None) -> list[str]:
                lines = ["[[runway]]"]
                if defaults.get("cycle") != cycle:
                    lines.append(f"cycle = {toml_string(cycle)}")
                lines.append(f"blueprint = {toml_string(key.split('/', 1)[1])}")
                if start is not None:
                    lines.append(f"start = {start.isoformat()}")
                return lines

            return set_runway_queue(text, indices, keys, entries, new_table)

        return self._edit(target, edit)

    def restore(self, written: Written, rel: str, then: Callable[[Written], None] | None = None) -> None:
        """Put back what ``written`` replaced, byte for byte, if the file is still what it left;
        ``then`` gets the reverse edit under the seeds lock."""
        undo_edit(written, rel, self.lock_dir, then, self.gate)

    def _edit(
        self, target: Target, edit: Callable[[str], str], then: Callable[[Written], None] | None = None
    ) -> Written:
        if not target.path.exists():  # overrides.toml, made by the first change that needs it
            return self._create(target, edit, then)
        return edit_seed(
            target.path, target.rel, edit, self.lock_dir, then, self.clean_shas(target.rel), self.gate
        )

    def _create(
        self, target: Target, edit: Callable[[str], str], then: Callable[[Written], None] | None = None
    ) -> Written:
        head = "\n".join(_OVERRIDES_HEAD) + "\n"
        try:
            with open(target.path, "x", encoding="utf-8") as handle:
                handle.write(head)
        except FileExistsError:
            pass  # another process made it a moment ago: edit theirs
        except OSError as exc:
            raise EditRefused(f"cannot create {target.rel}: {exc.strerror or exc}") from None
        return edit_seed(target.path, target.rel, edit, self.lock_dir, then, gate=self.gate)


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)


def _defaults(data: dict[str, Any]) -> dict[str, Any]:
    defaults = data.get("defaults")
    return defaults if isinstance(defaults, dict) else {}


def _find_blueprint(text: str, key: str, rel: str) -> tuple[int, dict[str, Any]]:
    """The position among the file's ``[[blueprint]]`` tables of the one whose key is ``key``."""
    data = tomli.loads(text)
    defaults = _defaults(data)
    for index, item in enumerate(data.get("blueprint") or []):
        if not isinstance(item, dict):
            continue
        cycle = item.get("cycle", defaults.get("cycle"))
        project = item.get("project", defaults.get("project"))
        bid = item.get("id") or slugify(str(item.get("title", "")))
        if f"{cycle}/{project}/{bid}" == key:
            return index, item
    raise EditRefused(f"{key} is no longer in {rel} (moved or removed since it was read); nothing changed")


def _find_session(text: str, key: str, rel: str) -> int:
    data = tomli.loads(text)
    defaults = _defaults(data)
    for index, item in enumerate(data.get("session") or []):
        if isinstance(item, dict) and f"{item.get('cycle', defaults.get('cycle'))}/{item.get('id')}" == key:
            return index
    raise EditRefused(f"session {key} is no longer in {rel}; nothing changed")


def _override_state(text: str, key: str, state: str, day: dt.date, by: str) -> str:
    """The blueprint's ``[[override]]`` with ``state`` set, or a new one at the end of the file."""
    data = tomli.loads(text)
    for index, item in enumerate(data.get("override") or []):
        if isinstance(item, dict) and item.get("blueprint") == key:
            return set_blueprint_state(text, index, state, day, by, table="override")
    nl = newline_of(text)
    body = text if not text or text.endswith("\n") else text + nl
    lines = [
        "[[override]]",
        f"blueprint = {toml_string(key)}",
        f"state = {toml_string(state)}",
        "",
        "[[override.history]]",
        f"date = {day.isoformat()}",
        f"state = {toml_string(state)}",
        f"by = {toml_string(by)}",
    ]
    gap = nl if body.strip() else ""
    edited = body + gap + nl.join(lines) + nl
    try:
        tomli.loads(edited)
    except tomli.TOMLDecodeError as exc:  # never leave a file that does not parse
        raise EditRefused(f"the override would not parse ({exc}); edit {OVERRIDES_FILE} by hand") from None
    return edited


def _git_user(folder: Path) -> str | None:
    git = shutil.which("git")
    if git is None:
        return None
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        inside = subprocess.run(  # noqa: S603 - git as found on PATH, with our own arguments
            [git, "-C", str(folder), "rev-parse", "--is-inside-work-tree"],
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT_S,
            env=env,
            check=False,
        )
        if inside.returncode != 0 or inside.stdout.strip() != "true":
            return None
        name = subprocess.run(  # noqa: S603 - git as found on PATH, with our own arguments
            [git, "-C", str(folder), "config", "user.name"],
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT_S,
            env=env,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return name.stdout.strip() or None if name.returncode == 0 else None


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name is fine, it is only a label
        return "unknown"
