"""A user's keymap: binding ids to keys, from a small TOML file.

``keymap.toml`` in the config folder (or the file named by
``$CYCLEBOARD_KEYMAP``) holds lines such as ``toggle-done = "x"`` or
``cursor-down = "down,j,ctrl+n"``; the ids are shown on the ``?`` screen.
"""

from __future__ import annotations

import os
from pathlib import Path

import tomli
from platformdirs import user_config_path


def keymap_path() -> Path:
    named = os.environ.get("CYCLEBOARD_KEYMAP")
    return Path(named) if named else user_config_path("cycleboard") / "keymap.toml"


def load_keymap(path: Path, known_ids: set[str]) -> tuple[dict[str, str], list[str]]:
    """The keymap in ``path`` (empty if there is none) and what was wrong with it."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, []
    except OSError as exc:
        return {}, [f"{path}: cannot read: {exc.strerror or exc}"]
    try:
        data = tomli.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomli.TOMLDecodeError) as exc:
        return {}, [f"{path}: {exc}; keymap not used"]
    table = data.get("keymap", data)  # a [keymap] table, or the keys at the top
    keymap, problems = {}, []
    for binding_id, keys in table.items():
        if binding_id not in known_ids:
            problems.append(f"{path}: unknown binding id '{binding_id}'")
        elif not isinstance(keys, str) or not keys.strip():
            problems.append(f"{path}: '{binding_id}' needs keys as a string, such as \"x\" or \"x,ctrl+x\"")
        else:
            keymap[binding_id] = keys
    return keymap, problems
