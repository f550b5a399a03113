"""Building displayed text from seed data without ever reading it as markup.

Seed titles may hold ``[``, ``]`` or anything else; Textual parses plain
strings as markup in many places, so every cell and label made from plan data
goes through :class:`~textual.content.Content`, which takes text literally.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from textual.content import Content

from store.model import State

ELLIPSIS = "…"

# One glyph per state, so a column of states reads at a glance in any colour scheme.
STATE_GLYPH = {
    State.PROPOSED: "○",
    State.APPROVED: "◎",
    State.STARTED: "◐",
    State.BLOCKED: "⊘",
    State.IMPLEMENTED: "●",
    State.DEFERRED: "◌",
    State.ABANDONED: "✕",
}

# Theme variables for each state; the stylesheet uses the same ones.
STATE_STYLE = {
    State.PROPOSED: "$text-muted",
    State.APPROVED: "$primary",
    State.STARTED: "$warning",
    State.BLOCKED: "$error",
    State.IMPLEMENTED: "$success",
    State.DEFERRED: "$secondary",
    State.ABANDONED: "$text-disabled",
}


# Tabs and line breaks in a one-line cell would move the terminal's cursor.
_LINE_BREAKING = str.maketrans({c: " " for c in "\t\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"})


def one_line(text: str) -> str:
    """``text`` for a single line: tabs and line breaks become spaces."""
    return text.translate(_LINE_BREAKING)


def fit(text: str, width: int) -> str:
    """``text`` on one line, cut or padded to exactly ``width`` cells, with an ellipsis when cut."""
    if width <= 0:
        return ""
    text = one_line(text)
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + ELLIPSIS


def bar(ratio: float, width: int) -> tuple[str, str]:
    """A progress bar as (filled, empty) parts, in eighths of a cell."""
    eighths = round(max(0.0, min(1.0, ratio)) * width * 8)
    full, part = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[part] if part else ""
    filled = "█" * full + partial
    return filled, " " * (width - cell_len(filled))


def state_label(state: State) -> Content:
    return Content.styled(f"{STATE_GLYPH[state]} {state.value}", STATE_STYLE[state])
