"""Reading seed files from disk safely: no blocking on a FIFO, no following loops, bounded size."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from store.seeds.parse import parse_text
from store.seeds.parsed import ParsedFile, SeedError


class SeedUnreadable(Exception):
    """A seed path that cannot be read as a seed file; the message says why."""


# A seed file is hand-written text; one this big is a mistake (or not a seed at
# all), and reading it would stall every refresh.  Split plans per cycle/project.
MAX_SEED_BYTES = 8 * 1024 * 1024


def read_seed(path: str | os.PathLike[str]) -> tuple[bytes, os.stat_result]:
    """The bytes of one seed file and the status of what was actually read.

    Opens without blocking, so a FIFO named ``x.toml`` cannot hang a refresh,
    and takes the status from the open handle, so a file replaced meanwhile
    is described by what was read.  Raises :class:`SeedUnreadable`.
    """
    try:
        os.fspath(path).encode("utf-8")
    except UnicodeEncodeError:
        raise SeedUnreadable(
            "the file name is not valid UTF-8, so it cannot be shown or stored: rename the file"
        ) from None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise SeedUnreadable("vanished while being read") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SeedUnreadable(
                "a symlink loop (following the link leads back to it); not followed"
            ) from None
        raise SeedUnreadable(f"cannot read: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            if os.path.islink(path):
                raise SeedUnreadable(_folder_link_problem(path))
            raise SeedUnreadable("is a folder, not a seed file")
        if not stat.S_ISREG(st.st_mode):
            raise SeedUnreadable("not a regular file (a pipe, socket or device)")
        if st.st_size > MAX_SEED_BYTES:
            raise _too_large(f"{st.st_size / 2**20:.1f} MiB")
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as handle:
        try:
            # Sized by the file, not the limit: a buffer of the limit's size is a
            # memory mapping of its own, and 65,000 files kept in memory would
            # exhaust the mappings a process may have.
            raw = handle.read(st.st_size + 1)
            if len(raw) > st.st_size:  # it grew since fstat
                raw += handle.read(MAX_SEED_BYTES + 1 - len(raw))
        except OSError as exc:
            raise SeedUnreadable(f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_SEED_BYTES:
        raise _too_large("it grew while being read")
    return raw, st


def _too_large(size: str) -> SeedUnreadable:
    return SeedUnreadable(
        f"too large ({size}; a seed file may hold at most "
        f"{MAX_SEED_BYTES // 2**20} MiB): split it by cycle or project"
    )


def _folder_link_problem(link: str | os.PathLike[str]) -> str:
    target = os.path.realpath(link)
    parent = os.path.realpath(os.path.dirname(link))
    if parent == target or parent.startswith(target.rstrip(os.sep) + os.sep):
        return f"a symlink loop (links back to {target}, a folder above it); not followed"
    return f"a link to {target}, a folder already read; not followed"


def parse_file(path: Path, display: str | None = None) -> ParsedFile:
    """Read and parse one seed file; an unreadable file is an error, never an exception."""
    display = display or str(path)
    try:
        raw, _ = read_seed(path)
    except SeedUnreadable as exc:
        return ParsedFile(display, errors=[SeedError(display, 0, 0, str(exc))])
    return parse_text(display, raw)
