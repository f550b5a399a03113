"""Files written so that nothing is lost: an atomic TinyDB storage and a store lock.

TinyDB's own ``JSONStorage`` rewrites its file in place, so a crash mid-write
leaves half a file.  :class:`AtomicJSONStorage` writes a temp file beside the
target, fsyncs it, ``os.replace``-s it over the target and fsyncs the folder:
a reader sees the old file or the new one, never a mix.  It never keeps a
handle open across writes, so other processes' replacements are seen on the
next read.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, cast

from filelock import FileLock, Timeout
from tinydb.storages import Storage

TEMP_SUFFIX = ".tmp"


class StoreError(Exception):
    """A store problem the user can act on; the message is one plain line."""


class DamagedFile(StoreError):
    """A store file exists but cannot be parsed."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: cannot be read ({reason})")
        self.path = path
        self.reason = reason


def temp_prefix(path: Path) -> str:
    return f".{path.name}."


def between_steps(path: Path, name: str) -> None:
    """Called between the steps of every atomic write; the crash tests stop a writer here."""


def atomic_write(
    path: Path,
    data: bytes | Iterable[bytes],
    *,
    mode: int | None = None,
) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves the old or the new file.

    ``data`` may come in pieces, so a large file need not be held whole in memory.
    ``mode``: the new file's permissions (else 0600, as the temp file is made).
    """
    folder = path.parent
    fd, temp = tempfile.mkstemp(prefix=temp_prefix(path), suffix=TEMP_SUFFIX, dir=folder)
    try:
        between_steps(path, "temp made")
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                handle.writelines(data)
            between_steps(path, "written")
            handle.flush()
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        between_steps(path, "synced")
        os.replace(temp, path)
        between_steps(path, "renamed")
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise
    fsync_folder(folder)


def fsync_folder(folder: Path) -> None:
    """Make a rename durable: fsync the folder entry (not possible on every OS)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def stale_temps(path: Path) -> list[Path]:
    """Temp files beside ``path``; with the lock held, a crashed writer left them."""
    # A plain scan: glob's pattern matching costs a millisecond in a seeds folder of 2,000 files.
    prefix = temp_prefix(path)
    try:
        with os.scandir(path.parent) as entries:
            return [
                Path(entry.path)
                for entry in entries
                if entry.name.startswith(prefix) and entry.name.endswith(TEMP_SUFFIX)
            ]
    except OSError:
        return []


def remove_stale_temps(path: Path) -> list[Path]:
    """Delete temp files a crashed writer left beside ``path``. Call with the lock held."""
    removed = []
    for temp in stale_temps(path):
        try:
            temp.unlink()
            removed.append(temp)
        except OSError:
            pass
    return removed


def _valid_tinydb(data: object) -> bool:
    return isinstance(data, dict) and all(
        isinstance(table, dict) and all(isinstance(doc, dict) for doc in table.values())
        for table in data.values()
    )


class AtomicJSONStorage(Storage):
    """A TinyDB storage that reads fresh on every call and writes atomically."""

    def __init__(self, path: str | os.PathLike[str], **_: object) -> None:
        self.path = Path(path)

    def read(self) -> dict[str, Any] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not raw.strip():
            return None
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise DamagedFile(self.path, f"not valid JSON: {exc}") from None
        if not _valid_tinydb(data):
            raise DamagedFile(self.path, "not a TinyDB document")
        return cast(dict[str, Any], data)

    def write(self, data: dict[str, Any]) -> None:
        atomic_write(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())

    def close(self) -> None:
        pass


def store_lock(path: Path, timeout: float = 10.0) -> FileLock:
    """The lock that serialises writers of ``path`` across processes.

    Raises OSError at once where the lock file cannot even be made (a folder
    such as /proc, a read-only or full file system): filelock would retry that
    until its timeout and then blame another process.
    """
    lock_path = str(path) + ".lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644))
    return FileLock(lock_path, timeout=timeout)


class GaveUp(StoreError):
    """A writer waiting for the lock was told to stop waiting (the dashboard is quitting)."""


class WriteGate:
    """Lets writes through until it is closed, as a quitting dashboard does.

    Once closed, a writer still waiting for a lock gives up (:class:`GaveUp`),
    and one that gets its lock afterwards does too; :meth:`close` waits for a
    writer already holding its lock to finish, so what is then still unsaved
    was not written and will not be.  A lock taken while this thread already
    holds one (the journal, under the seeds lock) finishes its write.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._closed = False
        self._inside = 0
        self._depth = threading.local()

    @property
    def closed(self) -> bool:
        return self._closed

    def turns_away(self) -> bool:
        """Whether a writer on this thread, holding no lock yet, is to give up now."""
        return self._closed and getattr(self._depth, "held", 0) == 0

    def close(self, timeout: float) -> bool:
        """Close the gate; True once no write is under way (else False after ``timeout`` s)."""
        with self._changed:
            self._closed = True
            return self._changed.wait_for(lambda: self._inside == 0, timeout)

    @contextmanager
    def passage(self, path: Path) -> Iterator[None]:
        """Entered with the lock held: raises :class:`GaveUp` if the gate closed meanwhile."""
        depth = getattr(self._depth, "held", 0)
        if depth == 0:
            with self._changed:
                if self.turns_away():
                    raise GaveUp(f"{path}: gave up waiting for another cycleboard's lock")
                self._inside += 1
        self._depth.held = depth + 1
        try:
            yield
        finally:
            self._depth.held = depth
            if depth == 0:
                with self._changed:
                    self._inside -= 1
                    self._changed.notify_all()


# How long a writer waits for another cycleboard's lock before saying so.
LOCK_TIMEOUT_S = 10.0
# While waiting for a lock, how often a writer checks whether it should give up.
_GIVE_UP_POLL_S = 0.05


@contextmanager
def locked(path: Path, what: str, gate: WriteGate | None = None) -> Iterator[None]:
    """Hold the lock of ``path``; any OS failure becomes one plain :class:`StoreError` line.

    ``gate``: once closed, a wait for the lock ends at once with :class:`GaveUp`.
    """
    timeout = LOCK_TIMEOUT_S
    try:
        lock = store_lock(path, timeout=timeout)
        deadline = time.monotonic() + timeout
        while True:
            if gate is not None and gate.turns_away():
                raise GaveUp(f"{path}: gave up waiting for another cycleboard's lock")
            try:
                lock.acquire(
                    timeout=min(_GIVE_UP_POLL_S, max(0.0, deadline - time.monotonic()))
                    if gate is not None
                    else timeout
                )
                break
            except Timeout:
                if gate is None or time.monotonic() >= deadline:
                    raise
        try:
            if gate is None:
                yield
            else:
                with gate.passage(path):
                    yield
        finally:
            lock.release()
    except Timeout:  # a TimeoutError, so it must come before OSError
        raise StoreError(f"{path}: another cycleboard holds the lock; try again") from None
    except PermissionError as exc:
        raise StoreError(f"cannot write {what} in {path.parent}: {exc.strerror}") from None
    except OSError as exc:
        raise StoreError(f"cannot write {what} to {path}: {exc.strerror or exc}") from None


__all__ = [
    "AtomicJSONStorage",
    "DamagedFile",
    "GaveUp",
    "StoreError",
    "Timeout",
    "WriteGate",
    "atomic_write",
    "locked",
    "remove_stale_temps",
    "stale_temps",
    "store_lock",
]
