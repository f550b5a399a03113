"""Where a blueprint can be read in a browser: its URL, then its Gerrit reviews."""

from __future__ import annotations

from store.model import Blueprint

GERRIT = "https://review.opendev.org/c/{number}"


def review_url(number: int) -> str:
    return GERRIT.format(number=number)


def links(blueprint: Blueprint) -> list[tuple[str, str]]:
    """(label, url) pairs, the blueprint's own URL first."""
    found = []
    if blueprint.url:
        found.append(("blueprint", blueprint.url))
    for number in blueprint.reviews:
        state = blueprint.review_state(number)
        found.append((f"review {number}" + (f" ({state})" if state else ""), review_url(number)))
    return found
