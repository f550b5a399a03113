"""Where the seeds and the store are, from options, environment and defaults."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from store.storage import StoreError

SEEDS_ENV = "CYCLEBOARD_SEEDS"
STORE_ENV = "CYCLEBOARD_STORE"


def shipped_seeds() -> Path:
    """The plan installed with the package (or the repository's seeds/ in a checkout)."""
    packaged = Path(__file__).with_name("shipped_seeds")  # an install maps seeds/ here
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "seeds"


def resolve_seeds(option: str | None) -> Path:
    """``--seeds``, then ``$CYCLEBOARD_SEEDS``, then ``./seeds``, then the shipped plan."""
    given = option or os.environ.get(SEEDS_ENV)
    if given:
        path = Path(given).expanduser()
        if not path.exists():
            raise StoreError(f"seeds folder {given} does not exist")
        if not path.is_dir():
            raise StoreError(f"seeds folder {given} is not a folder")
        return path
    local = Path("seeds")
    if local.is_dir():
        return local
    return shipped_seeds()


def resolve_store(option: str | None, seeds: Path) -> Path:
    """``--store``, then ``$CYCLEBOARD_STORE``, then a folder per seeds folder in the user data dir."""
    given = option or os.environ.get(STORE_ENV)
    if given:
        folder = Path(given).expanduser()
    else:
        from platformdirs import user_data_path

        real = seeds.resolve()
        digest = hashlib.sha256(str(real).encode()).hexdigest()[:12]
        folder = user_data_path("cycleboard", appauthor=False) / "stores" / f"{real.name}-{digest}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise StoreError(f"store {folder} is a file, not a folder") from None
    except OSError as exc:
        raise StoreError(f"cannot create the store folder {folder}: {exc.strerror or exc}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(f"store folder {folder} is not writable")
    try:
        if folder.resolve().is_relative_to(seeds.resolve()):
            # Our own writes would look like seed edits to the watcher.
            raise StoreError(f"store folder {folder} must not be inside the seeds folder {seeds}")
    except OSError:
        pass
    return folder


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    try:
        return os.path.relpath(path) if path.resolve().is_relative_to(Path.cwd().resolve()) else str(path)
    except (OSError, ValueError):
        return str(path)
