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
from textual.keys import KEY_NAME_REPLACEMENTS, Keys, _character_to_key, key_to_character


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
    if not isinstance(table, dict):
        return {}, [
            f"{path}: 'keymap' must be a table of binding ids and keys, such as "
            f'[keymap] then toggle-done = "x"; keymap not used'
        ]
    keymap, problems = {}, []
    for binding_id, keys in table.items():
        if binding_id not in known_ids:
            problems.append(f"{path}: unknown binding id '{binding_id}'")
            continue
        parts = [k.strip() for k in keys.split(",")] if isinstance(keys, str) else []
        if not any(parts):
            problems.append(f'{path}: \'{binding_id}\' needs keys as a string, such as "x" or "x,ctrl+x"')
            continue
        wrong = [f"'{part}': {why}" for part in parts if (why := key_problem(part))]
        if wrong:
            problems.append(
                f"{path}: '{binding_id}' = {keys!r} has {', '.join(wrong)}; kept its default keys"
            )
        else:
            keymap[binding_id] = ",".join(parts)
    return keymap, problems


_MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
# Keys with a name: Textual's own, and the names it gives printable characters.
_NAMED = frozenset(
    {k.value for k in Keys if "+" not in k.value and not k.value.startswith("<")}
    | set(KEY_NAME_REPLACEMENTS.values())
    | {_character_to_key(chr(code)) for code in range(33, 127)}
)


def key_problem(key: str) -> str | None:
    """What is wrong with one key as a keymap names it (``x``, ``ctrl+x``, ``f5``), or None."""
    if not key:
        return "an empty key"
    if key == "+":
        return None
    *modifiers, base = key.split("+")
    unknown = [m for m in modifiers if m not in _MODIFIERS]
    if unknown:
        return f"unknown modifier '{unknown[0]}' (expected {', '.join(sorted(_MODIFIERS))})"
    if not base:
        return "no key after the '+'"
    if len(base) == 1 or base in _NAMED or key_to_character(base) is not None:
        return None
    return f"unknown key name '{base}'"
