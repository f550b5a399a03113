"""Hostile text from the seeds goes through the parser, the store and the widgets unharmed.

Titles, owners, categories, descriptions, agreements and action items are
made of markup-like brackets, backslashes, control and escape sequences,
wide, combining and right-to-left characters, or 10,000 characters of them.
Nothing may raise, the store must give back exactly what the parser took
(the text minus control characters), and the screen must show that text:
never parsed as markup, never an escape sequence reaching the terminal.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from textual.widgets import OptionList

from store.board import Board
from store.seeds import clean_text
from tests.dashboard_helpers import build
from tests.unit.test_seed_properties import toml_string
from tui.panes.blueprints import BlueprintsPane
from tui.panes.sessions import SessionsPane
from tui.panes.themes import ThemesPane

FRAGMENTS = [
    "[TODO]",
    "[/",
    "[/]",
    "[bold]",
    "[b]x[/b]",
    "[link=https://example.org]",
    "[@click=app.quit]",
    "]",
    "[",
    "\\",
    "\\[",
    "\\n",
    "\x1b[31m",
    "\x1b]0;pwned\x07",
    "\x1b[2J",
    "\x9b1m",
    "\x00",
    "\x7f",
    "\r",
    "\t",
    "\n",
    "界",
    "漢字",
    "\U0001f680",
    "e\u0301",
    "\u0301",
    "שלום",
    "مرحبا",
    "\u202e",
    "\u200f",
    "\ufeff",
    " ",
]
_piece = st.one_of(st.sampled_from(FRAGMENTS), st.characters(codec="utf-8", exclude_categories=("Cs",)))
short = st.lists(_piece, min_size=1, max_size=40).map("".join)
# 10,000 characters: a hostile pattern repeated, so hypothesis need not draw each one.
long = st.lists(_piece, min_size=1, max_size=12).map(lambda parts: ("".join(parts) * 10_000)[:10_000])
hostile = st.one_of(short, short, short, long)

FIELDS = ("title", "owner", "category", "theme", "description", "session", "agreement", "action", "actor")
texts = st.fixed_dictionaries({name: hostile for name in FIELDS})


def seen_as(text: str) -> str:
    """Text as a reader sees it: characters that take no cell (controls, format
    characters, combining marks, which have nothing to show on a line of their
    own) dropped, and whitespace, which wrapping moves, ignored."""
    return "".join(ch for ch in text if not ch.isspace() and cell_len(ch) > 0)


def write_plan(folder: Path, t: dict[str, str]) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "plan.toml").write_text(
        '[[project]]\nid = "nova"\n\n[[cycle]]\nid = "stein"\nname = "Stein"\n\n'
        '[defaults]\ncycle = "stein"\nproject = "nova"\n\n'
        f'[[blueprint]]\nid = "hostile"\ntitle = {toml_string(t["title"])}\n'
        f"owner = {toml_string(t['owner'])}\ncategory = {toml_string(t['category'])}\n\n"
        f'[[theme]]\nid = "t"\ntitle = {toml_string(t["theme"])}\n'
        f"description = {toml_string(t['description'])}\n"
        'blueprints = ["hostile"]\n\n'
        f'[[session]]\nid = "s"\ntitle = {toml_string(t["session"])}\n'
        f'agreements = [{toml_string(t["agreement"])}]\nblueprints = ["hostile"]\n\n'
        f"[[session.action]]\nowner = {toml_string(t['actor'])}\ntext = {toml_string(t['action'])}\n",
        encoding="utf-8",
    )


def stored(board: Board) -> dict[str, str]:
    plan = board.plan
    blueprint = plan.blueprints["stein/nova/hostile"]
    theme = plan.themes["stein/t"]
    session = plan.sessions["stein/s"]
    return {
        "title": blueprint.title,
        "owner": blueprint.owner,
        "category": blueprint.category,
        "theme": theme.title,
        "description": theme.description,
        "session": session.title,
        "agreement": session.agreements[0],
        "action": session.actions[0].text,
        "actor": session.actions[0].owner,
    }


@pytest.mark.slow
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(t=texts)
def test_the_store_gives_back_what_the_parser_took(tmp_path_factory, t):
    root = tmp_path_factory.mktemp("hostile")
    write_plan(root / "seeds", t)
    first = Board(root / "seeds", root / "store").refresh()
    assert first.plan.errors == []
    expected = {name: clean_text(value) for name, value in t.items()}
    assert stored(first) == expected
    # Read back from the plan cache, not parsed again.
    again = Board(root / "seeds", root / "store").refresh()
    assert again.stats.parsed == 0 and stored(again) == expected
    exported = json.loads(json.dumps(again.export(), ensure_ascii=False))
    assert exported["blueprints"][0]["title"] == expected["title"]
    assert exported["sessions"][0]["agreements"] == [expected["agreement"]]


def painted(app, region=None) -> list[str]:
    """The text of every line the terminal would be sent for the current screen (or a region of it)."""
    strips = app.screen._compositor.render_strips()
    if region is None:
        return [strip.text for strip in strips]
    return [strip.crop(region.x, region.right).text for strip in strips[region.y : region.bottom]]


async def what_the_dashboard_shows(seeds: Path, store: Path) -> dict[str, str]:
    app = build(seeds, store)
    shown: dict[str, str] = {}
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        pane = app.query_one(BlueprintsPane)
        shown["row"] = pane.render_line(1).text
        shown["themes"] = str((pane := app.query_one(ThemesPane)).content_of(pane.items[0]))
        shown["sessions"] = str((pane := app.query_one(SessionsPane)).content_of(pane.items[0]))
        shown["screen"] = painted(app)
        for pane_id, name in (("blueprints", "blueprint"), ("themes", "theme"), ("sessions", "session")):
            app.focus_pane(pane_id)
            await pilot.press("enter")
            await pilot.pause()
            lists = app.screen.query(OptionList)  # a session's action items
            shown[name] = " ".join(
                [str(s.render()) for s in app.screen.query("Static")]
                + [
                    str(items.get_option_at_index(at).prompt)
                    for items in lists
                    for at in range(items.option_count)
                ]
            )
            shown[name + "-screen"] = painted(app)
            shown[name + "-body"] = painted(app, app.screen.query_one("#details-body").content_region)
            await pilot.press("escape")
            await pilot.pause()
    return shown


@pytest.mark.slow
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(t=texts)
# Cases hypothesis found: a raw tab in a row; a lone bidi override; lone combining marks.
@example(t={**dict.fromkeys(FIELDS, "[TODO]"), "title": "[TODO]\\n[TODO]\t"})
@example(t={**dict.fromkeys(FIELDS, "[TODO]"), "theme": "\x1f\u202e"})
@example(t={**dict.fromkeys(FIELDS, "[TODO]"), "theme": "\u0301\u0301", "actor": "e\u0301"})
def test_the_screen_shows_the_stored_text_literally(tmp_path_factory, t):
    root = tmp_path_factory.mktemp("hostile-screen")
    write_plan(root / "seeds", t)
    shown = asyncio.run(what_the_dashboard_shows(root / "seeds", root / "store"))
    want = {name: seen_as(clean_text(value)) for name, value in t.items()}

    # Lists show one line per item, cut to fit: the stored text's beginning, literally.
    begins = {name: seen_as(clean_text(value)[:8]) for name, value in t.items()}
    assert begins["title"] in seen_as(shown["row"])
    assert begins["theme"] in seen_as(shown["themes"])
    assert begins["session"] in seen_as(shown["sessions"])
    main_screen = seen_as("".join(shown["screen"]))
    for field in ("title", "theme", "session"):
        assert begins[field] in main_screen, field
    # Details show every field whole, and their titles on screen.
    for field in ("title", "owner", "category"):
        assert want[field] in seen_as(shown["blueprint"]), field
    for field in ("theme", "description"):
        assert want[field] in seen_as(shown["theme"]), field
    for field in ("session", "agreement", "action", "actor"):
        assert want[field] in seen_as(shown["session"]), field
    for body, field in (("blueprint-body", "title"), ("theme-body", "theme"), ("session-body", "session")):
        assert begins[field] in seen_as("".join(shown[body])), body
    # And no painted line holds a control character: no escape reaches the terminal.
    for name in ("screen", "blueprint-screen", "theme-screen", "session-screen"):
        for line in shown[name]:
            assert not re.search(r"[\x00-\x1f\x7f-\x9f]", line), (name, line)
