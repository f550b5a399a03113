"""Running a child without root's power to read any file.

Permission bits do not stop root (CAP_DAC_OVERRIDE), and CI runs as root, so
an "unreadable file" test would read the file anyway.  Dropping the two file
capabilities from the bounding set before exec leaves the child as uid 0 but
bound by permission bits, like any other user.
"""

from __future__ import annotations

import ctypes
import os

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE = 1
_CAP_DAC_READ_SEARCH = 2


def _drop_file_capabilities() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"prctl(PR_CAPBSET_DROP, {cap}): {os.strerror(err)}")


def bound_by_permissions():
    """A ``preexec_fn`` for subprocess: under root, drop the file-reading override."""
    return _drop_file_capabilities if os.geteuid() == 0 else None
