"""The text rules of seed files: which characters never reach the screen, what an id is, ids from titles."""

from __future__ import annotations

import re
import unicodedata

# C0 controls except tab and newline, DEL and C1: never let a seed drive the terminal.
# Bidi embeddings, overrides and isolates go too: they reorder the rest of the
# line on screen ("Trojan Source"); right-to-left text itself needs none of them.
_CONTROL = {
    c: None
    for c in [
        *range(0x00, 0x09),
        *range(0x0B, 0x20),
        0x7F,
        *range(0x80, 0xA0),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    ]
}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def clean_text(text: str) -> str:
    """Drop control characters (bidi overrides included), keeping tab and newline."""
    # Every character dropped is non-printable, so most texts need no translation.
    return text if text.isprintable() else text.translate(_CONTROL)


def is_id(text: str) -> bool:
    """Whether ``text`` can be an id: a letter or digit, then letters, digits, '.', '_' and '-'."""
    return bool(_ID.match(text))


def slugify(title: str) -> str:
    """A Launchpad-style id from a title: ``Add an IOPS weigher`` -> ``add-an-iops-weigher``."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:80].rstrip("-") or "untitled"
