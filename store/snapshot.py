"""A pickle that only this user's cycleboard can have written.

The plan snapshot is a pickle because nothing else loads 50,000 records as
fast.  Unpickling can run code, so a snapshot is loaded only when it carries
a MAC made with a secret that lives in this user's data folder (mode 0600,
never in the store folder, which may have arrived by clone, copy or
symlink).  A file without a valid MAC is never unpickled: it only means a
slower start.  As a second wall, the unpickler resolves only the plan's own
record classes and a few standard containers, so even a signed file cannot
name ``os.system``.
"""

from __future__ import annotations

import hmac
import os
import pickle
import stat
from pathlib import Path
from typing import Any

from store.storage import atomic_write

MAGIC = b"cycleboard snapshot 1\n"
_DIGEST = "sha256"
_MAC_SIZE = 32
_KEY_SIZE = 32
_PIECE = 1 << 20
KEY_NAME = "snapshot.key"

# What a plan is made of: the modules whose classes a snapshot may name, and the
# standard types it may use.  Anything else makes the snapshot unusable.
_OWN_MODULES = frozenset(
    {"store.model", "store.plan", "store.index", "store.words", "store.bitset", "store.seeds.parsed"}
)
_STANDARD = frozenset(
    {
        ("builtins", "list"),
        ("builtins", "dict"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("builtins", "tuple"),
        ("builtins", "int"),
        ("builtins", "str"),
        ("builtins", "bytes"),
        ("collections", "defaultdict"),
        ("collections", "OrderedDict"),
        ("collections", "deque"),
        ("datetime", "date"),
        ("datetime", "datetime"),
        ("datetime", "timedelta"),
        ("datetime", "timezone"),
    }
)


class SnapshotRefused(Exception):
    """The file is not a snapshot this user's cycleboard wrote; it was not unpickled."""


def key_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("cycleboard", appauthor=False) / KEY_NAME


def _read_key(path: Path) -> bytes | None:
    """The key, if it is a private regular file of ours; never through a symlink."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o077:
            return None  # someone else may know it
        key = os.read(fd, _KEY_SIZE + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return key if len(key) == _KEY_SIZE else None


def user_key(*, create: bool) -> bytes | None:
    """This user's snapshot secret; made (mode 0600) when missing or unfit and ``create``.

    None when there is no usable key: snapshots are then neither read nor written.
    """
    path = key_path()
    key = _read_key(path)
    if key is not None or not create:
        return key
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write(path, os.urandom(_KEY_SIZE))  # a temp file made 0600, renamed over an unfit one
    except OSError:
        return None
    return _read_key(path)  # another process may have renamed its own over ours: use what is there


class _PlanUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> type[Any]:
        if (module, name) in _STANDARD or (module in _OWN_MODULES and "." not in name):
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"a snapshot may not name {module}.{name}")


def dump(path: Path, value: object) -> bool:
    """Write ``value`` signed with this user's key; False when there is no key.

    OSError when it cannot be written (no room, no permission).
    """
    key = user_key(create=True)
    if key is None:
        return False
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    mac = hmac.new(key, payload, _DIGEST).digest()
    atomic_write(path, [MAGIC, mac, payload])
    return True


def load(path: Path) -> object:
    """The value a :func:`dump` of this user wrote to ``path``.

    Raises :class:`SnapshotRefused` for anything else (missing, foreign,
    tampered, a symlink, another format) before a byte is unpickled.
    """
    key = user_key(create=False)
    if key is None:
        raise SnapshotRefused("no snapshot key")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise SnapshotRefused(str(exc)) from None
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o022:
            raise SnapshotRefused("not a private regular file of this user")
        head = handle.read(len(MAGIC) + _MAC_SIZE)
        if not head.startswith(MAGIC) or len(head) < len(MAGIC) + _MAC_SIZE:
            raise SnapshotRefused("not a cycleboard snapshot")
        # Checked in pieces, then read again from the same open file: the payload is
        # never held twice (it is large), and only this user can write it.
        mac = hmac.new(key, digestmod=_DIGEST)
        while piece := handle.read(_PIECE):
            mac.update(piece)
        if not hmac.compare_digest(head[len(MAGIC) :], mac.digest()):
            raise SnapshotRefused("not signed by this user's cycleboard")
        handle.seek(len(head))
        try:
            return _PlanUnpickler(handle).load()
        except Exception as exc:  # noqa: BLE001 - a signed file of another version: only a slower start
            raise SnapshotRefused(f"unreadable: {exc}") from None
