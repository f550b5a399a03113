"""Where the seeds and the store are, from options, environment and defaults."""

from __future__ import annotations

import hashlib
import os
import stat
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
        path = _user_path(given, "seeds folder")
        try:
            found = path.stat()
        except FileNotFoundError:
            raise StoreError(f"seeds folder {_shown(given)} does not exist") from None
        except OSError as exc:
            raise StoreError(f"seeds folder {_shown(given)}: {exc.strerror or exc}") from None
        if not stat.S_ISDIR(found.st_mode):
            raise StoreError(f"seeds folder {_shown(given)} is not a folder")
        return path
    local = Path("seeds")
    if local.is_dir():
        return local
    return shipped_seeds()


def resolve_store(option: str | None, seeds: Path) -> Path:
    """``--store``, then ``$CYCLEBOARD_STORE``, then a folder per seeds folder in the user data dir."""
    given = option or os.environ.get(STORE_ENV)
    if given:
        folder = _user_path(given, "store folder")
    else:
        from platformdirs import user_data_path

        real = seeds.resolve()
        digest = hashlib.sha256(str(real).encode()).hexdigest()[:12]
        folder = user_data_path("cycleboard", appauthor=False) / "stores" / f"{real.name}-{digest}"
    try:
        inside = folder.resolve().is_relative_to(seeds.resolve())
    except (OSError, RuntimeError):
        inside = False
    if inside:  # checked before anything is made: our own writes would look like seed edits
        raise StoreError(
            f"store folder {_shown(str(folder))} must not be inside the seeds folder "
            f"{_shown(str(seeds))} (use --store or {STORE_ENV} to put it elsewhere)"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise StoreError(f"store {_shown(str(folder))} is a file, not a folder") from None
    except OSError as exc:
        raise StoreError(
            f"cannot create the store folder {_shown(str(folder))}: {exc.strerror or exc}"
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(f"store folder {_shown(str(folder))} is not writable")
    return folder


def _user_path(given: str, what: str) -> Path:
    """A folder named by an option or the environment, with ``~`` expanded; one plain line if it cannot be."""
    try:
        return Path(given).expanduser()
    except RuntimeError:  # ~nosuchuser
        raise StoreError(f"{what} {_shown(given)}: no such user's home folder") from None


def _shown(text: str, limit: int = 200) -> str:
    """A name as an error line can show it: cut when very long, stray bytes escaped."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    try:
        return os.path.relpath(path) if path.resolve().is_relative_to(Path.cwd().resolve()) else str(path)
    except (OSError, ValueError):
        return str(path)
