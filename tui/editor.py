"""The user's editor, opened on a seed file at a line, as git and lazygit open it.

$VISUAL, then $EDITOR, then ``vi``; the variable may hold arguments
(``emacs -nw``).  Most terminal editors take ``+LINE FILE``; the few that
do not are told the line their own way.
"""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Mapping
from pathlib import Path

# Editors that take FILE:LINE after a flag or on its own, and what they need to wait for the file.
_GOTO_FLAG = {"code": ["--wait", "-g"], "codium": ["--wait", "-g"], "code-insiders": ["--wait", "-g"]}
_FILE_COLON_LINE = {"hx", "helix", "subl", "zed"}
_WAIT = {"subl": "--wait", "zed": "--wait"}


class NoEditor(Exception):
    """No editor is set and none is found."""


def editor_command(path: Path, line: int, environ: Mapping[str, str] = os.environ) -> list[str]:
    """The command that opens ``path`` at ``line`` (0: at its top) in the user's editor."""
    chosen = environ.get("VISUAL") or environ.get("EDITOR")
    try:
        words = shlex.split(chosen) if chosen else []
    except ValueError as error:
        raise NoEditor(f"$VISUAL/$EDITOR cannot be read ({error}): {chosen}") from error
    if not words:
        if shutil.which("vi") is None:
            raise NoEditor("no editor: set $VISUAL or $EDITOR")
        words = ["vi"]
    name = Path(words[0]).name
    target = str(path)
    if line <= 0:
        return [*words, target]
    if name in _GOTO_FLAG:
        flags = [f for f in _GOTO_FLAG[name] if f not in words]
        return [*words, *flags, f"{target}:{line}"]
    if name in _FILE_COLON_LINE:
        wait = _WAIT.get(name)
        return [*words, *([wait] if wait and wait not in words else []), f"{target}:{line}"]
    return [*words, f"+{line}", target]
