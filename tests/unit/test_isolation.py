"""The suite never reads or writes what belongs to the person running it (tests/conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

from store.paths import resolve_store
from store.snapshot import key_path
from tui.user_keymap import keymap_path


def test_the_keymap_the_signing_key_and_the_default_store_are_in_the_tests_own_folders(
    tmp_path_factory, monkeypatch
):
    base = tmp_path_factory.getbasetemp().resolve()
    monkeypatch.delenv("CYCLEBOARD_STORE")
    for path in (keymap_path(), key_path(), resolve_store(None, Path("seeds"))):
        assert path.resolve().is_relative_to(base), path
    assert not [name for name in os.environ if name.startswith("CYCLEBOARD_")]
