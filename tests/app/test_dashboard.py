"""The dashboard driven with Pilot: every key of DESIGN.md, asserted on state."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import pytest
from textual.app import SuspendNotSupported
from textual.widgets import Input

from store.board import Board
from store.model import State
from store.pane_contents import Columns
from store.query import Filter
from tests.conftest import SHIPPED, run_subprocess
from tests.dashboard_helpers import build, wait_for, write_two_projects
from tui.app import PANES
from tui.panes.blueprints import BlueprintsPane
from tui.panes.cycles import CyclesPane
from tui.panes.sessions import SessionsPane
from tui.panes.states import StatesPane
from tui.panes.themes import ThemesPane
from tui.screens.details import ActionItems, BlueprintDetails, SessionDetails, ThemeDetails
from tui.screens.help import HelpScreen
from tui.screens.pickers import Picker
from tui.widgets.bars import StatusBar
from tui.widgets.filter_bar import FilterBar

# Async tests run on anyio's pytest plugin (anyio comes with watchfiles).
pytestmark = pytest.mark.anyio


def keys_shown(app) -> list[str]:
    return [row.blueprint.key for row in app.query_one(BlueprintsPane).rows]


def plain(widget) -> str:
    """The text a Static or bar shows now."""
    return str(widget.render())


def option_texts(pane) -> list[str]:
    return [str(pane.content_of(line)) for line in pane.items]


@pytest.fixture
def two(seeds):
    write_two_projects(seeds)
    return seeds


# -- opening -----------------------------------------------------------------------


async def test_opens_on_the_shipped_plan_with_five_titled_panes_and_the_newest_cycle():
    app = build(SHIPPED)
    async with app.run_test(size=(120, 36)):
        titles = {pane: str(app.query_one(f"#{pane}").border_title) for pane in PANES}
        assert [t.split(" (")[0] for t in titles.values()] == [
            "Cycles",
            "Blueprints",
            "States",
            "Themes",
            "Sessions",
        ]
        for pane in PANES:
            region = app.query_one(f"#{pane}").region
            assert region.width > 10 and region.height >= 5, pane  # all five are on screen
        assert app.cycle == "2023.1"
        cycles = app.query_one(CyclesPane)
        assert cycles.current.id == "2023.1"
        # 16 from the recap (one of them Placement's), 8 more from nova-specs
        assert titles["blueprints"] == "Blueprints (24)"
        kilo = next(t for t in option_texts(cycles) if t.startswith("Kilo"))
        done = sum(
            1 for r in app.board.rows() if r.blueprint.cycle == "kilo" and r.state is State.IMPLEMENTED
        )
        assert kilo.rstrip().endswith(f"{done}/110")  # 84 from the spec lists, 26 from nova-specs
        assert app.focused is app.query_one(BlueprintsPane)


async def test_small_terminal_shows_one_pane_at_a_time_and_tab_switches(two):
    app = build(two.path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.screen.has_class("-narrow")
        shown = [p for p in PANES if app.query_one(f"#{p}").region.area]
        assert shown == ["blueprints"]
        assert "Blueprints" in plain(app.query_one("#pane-tabs"))
        await pilot.press("tab")
        await pilot.pause()
        assert [p for p in PANES if app.query_one(f"#{p}").region.area] == ["states"]
        assert app.focused.id == "states"
        await pilot.press("shift+tab", "shift+tab")
        await pilot.pause()
        assert [p for p in PANES if app.query_one(f"#{p}").region.area] == ["cycles"]
        assert app.query_one("#cycles").region.width == 80


async def test_tab_and_shift_tab_walk_the_panes_in_order(two):
    app = build(two.path)
    async with app.run_test(size=(120, 36)) as pilot:
        seen = []
        for _ in PANES:
            await pilot.press("tab")
            seen.append(app.focused.id)
        assert seen == ["states", "themes", "sessions", "cycles", "blueprints"]
        await pilot.press("shift+tab")
        assert app.focused.id == "cycles"


# -- moving ----------------------------------------------------------------------------


async def test_arrows_vi_keys_home_end_and_pages_move_the_blueprint_cursor():
    app = build(SHIPPED, cycle="kilo")
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(BlueprintsPane)
        assert len(pane.rows) == 110 and pane.cursor == 0
        await pilot.press("j", "j", "down")
        assert pane.cursor == 3
        await pilot.press("k", "up")
        assert pane.cursor == 1
        await pilot.press("end")
        assert pane.cursor == 109
        await pilot.press("home")
        assert pane.cursor == 0
        await pilot.press("pagedown")
        page = pane.cursor
        assert page > 5
        await pilot.press("pagedown", "pageup")
        assert pane.cursor == page
        await pilot.press("end")
        await pilot.pause()
        assert pane.scroll_y > 0  # the cursor row is scrolled into view


async def test_moving_in_the_cycles_pane_selects_a_cycle_for_every_pane(two):
    app = build(two.path)
    async with app.run_test(size=(120, 36)) as pilot:
        assert app.cycle == "stein" and len(keys_shown(app)) == 3
        await pilot.press("shift+tab")  # to Cycles
        await pilot.press("down")
        await pilot.pause()
        assert app.cycle == "rocky"
        assert keys_shown(app) == ["rocky/nova/delta"]
        assert app.query_one(ThemesPane).border_title == "Themes (0)"
        await pilot.press("home")
        await pilot.pause()
        assert app.cycle == "all"
        assert len(keys_shown(app)) == 4
        assert app.query_one(BlueprintsPane).border_title == "Blueprints (4)"


# -- details ---------------------------------------------------------------------------


async def test_the_dashboards_keys_wait_while_a_pop_up_covers_it(two, store_dir):
    app = build(two.path, store_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        app.query_one(BlueprintsPane).select_key("stein/nova/alpha")
        await pilot.press("enter")
        assert isinstance(app.screen, BlueprintDetails)
        for key in ("slash", "p", "r", "2", "question_mark", "w", "tab"):
            await pilot.press(key)
            assert isinstance(app.screen, BlueprintDetails) and len(app.screen_stack) == 2, key
        assert (app.current_view, app.filter_by, app.saved_reports) == ("overview", Filter(), [])
        assert not app._widget(FilterBar).display
        footer = {b.binding.key for b in app.screen_stack[0].active_bindings.values()}
        assert not footer & {"slash", "p", "u", "r", "question_mark"}  # the footer beneath offers none
        await pilot.press("escape", "2")
        assert app.current_view == "timeline"  # back on the dashboard, they work


async def test_enter_opens_blueprint_theme_and_session_details(two):
    app = build(two.path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, BlueprintDetails) and screen.key == "stein/cinder/gamma"
        await pilot.press("escape")
        assert not isinstance(app.screen, BlueprintDetails)

        await pilot.press("tab", "tab", "enter")  # Themes
        assert isinstance(app.screen, ThemeDetails)
        text = " ".join(plain(s) for s in app.screen.query("Static"))
        assert "Volume-backed servers" in text and "stein/nova/alpha" in text and "0 of 2" in text
        await pilot.press("escape", "tab", "down", "up", "enter")  # Sessions, first one
        assert isinstance(app.screen, SessionDetails)
        text = " ".join(plain(s) for s in app.screen.query("Static"))
        assert "Rebuild of volume-backed servers goes ahead" in text
        items = app.screen.query_one(ActionItems)
        lines = [str(items.get_option_at_index(at).prompt) for at in range(items.option_count)]
        assert lines == ["☐ mriedem: Write the rebuild spec", "☑ jgriffith: Review the API change"]
        assert app.focused is items and items.highlighted == 0  # the first one is selected
        assert "1 open" in text and "cross-project" in text


async def test_space_in_a_sessions_details_ticks_the_action_item_in_its_seed_and_u_unticks_it(two, store_dir):
    stein = two.path / "stein.toml"
    original = stein.read_bytes()
    app = build(two.path, store_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        app.push_screen(SessionDetails(app.board.plan.sessions["stein/nova-cinder"], []))
        await pilot.pause()
        items = app.screen.query_one(ActionItems)
        await pilot.press("space")
        assert str(items.get_option_at_index(0).prompt).startswith("☑ mriedem")  # at once
        await wait_for(pilot, lambda: stein.read_bytes() != original)
        changed = [
            line for line in stein.read_text().splitlines() if line not in original.decode().splitlines()
        ]
        assert changed == [] and stein.read_text().count("done = true") == 2  # only the value changed
        assert len(stein.read_bytes()) == len(original) - 1  # "false" became "true"
        app.request_reload(seeds=True, marks=False)
        await wait_for(pilot, lambda: app.board.plan.sessions["stein/nova-cinder"].actions[0].done)
        assert "0 open" in plain(app.screen.query_one("#actions-heading"))
        await pilot.press("u")
        await wait_for(pilot, lambda: stein.read_bytes() == original)  # byte for byte
        await pilot.pause()
        assert str(items.get_option_at_index(0).prompt).startswith("☐ mriedem")


# -- filtering ---------------------------------------------------------------------------


async def test_filter_line_applies_on_enter_and_returns_to_blueprints(two):
    app = build(two.path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("tab", "slash")
        bar = app.query_one(FilterBar)
        assert bar.display and isinstance(app.focused, Input)
        await pilot.press(*"project:cinder")
        await pilot.pause()
        assert keys_shown(app) == ["stein/cinder/gamma"]  # previewed while typing
        await pilot.press("enter")
        assert not bar.display
        assert app.focused is app.query_one(BlueprintsPane)
        assert str(app.filter_by) == "project:cinder"
        assert "project:cinder" in plain(app.query_one(StatusBar))


async def test_a_filter_longer_than_its_line_scrolls_to_keep_the_cursor_in_sight(two):
    app = build(two.path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash")
        field = app.query_one("#filter-input", Input)
        assert "escape: cancel" in plain(app.query_one("#filter-hint"))  # the keys, before any typing
        words = " ".join(f"w{n}" for n in range(14))  # wider than the line
        await pilot.press(*words)
        await pilot.pause()
        assert field.value == words and field.size.width < len(words)
        assert field.scroll_x > 0
        cursor_x = field.cursor_screen_offset.x
        assert field.region.x <= cursor_x <= field.region.right  # at the end of what is shown
        await pilot.press("home")
        await pilot.pause()
        assert field.scroll_x == 0


async def test_escape_cancels_the_filter_line_and_ctrl_u_clears_it(two):
    app = build(two.path, filter_text="state:approved")
    async with app.run_test(size=(120, 36)) as pilot:
        assert keys_shown(app) == ["stein/nova/alpha"]
        await pilot.press("slash")
        field = app.query_one("#filter-input", Input)
        assert field.value == "state:approved"
        await pilot.press("ctrl+u")
        assert field.value == ""
        await pilot.pause()
        assert len(keys_shown(app)) == 3  # the empty line previews no filter
        await pilot.press(*"beta", "escape")
        await pilot.pause()
        assert str(app.filter_by) == "state:approved"
        assert keys_shown(app) == ["stein/nova/alpha"]
        assert not app.query_one(FilterBar).display


async def test_a_bad_filter_says_why_and_keeps_the_line_open(two):
    app = build(two.path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("slash", *"colour:red", "enter")
        assert app.query_one(FilterBar).display
        assert "unknown field 'colour:'" in plain(app.query_one("#filter-hint"))
        assert str(app.filter_by) == ""


async def test_project_filter_changes_every_pane(two):
    app = build(two.path)
    async with app.run_test(size=(120, 36)) as pilot:
        sessions = app.query_one(SessionsPane)
        assert len(sessions.items) == 2
        await pilot.press("p")
        assert isinstance(app.screen, Picker)
        await pilot.press("down", "enter")  # all projects, cinder, nova (sorted)
        await pilot.pause()
        assert app.filter_by.projects == {"cinder"}
        assert keys_shown(app) == ["stein/cinder/gamma"]
        assert app.contents.counts[State.PROPOSED] == 1 and sum(app.contents.counts.values()) == 1
        assert app.contents.progress["stein"].total == 1 and app.contents.progress["rocky"].total == 0
        assert [line.theme.id for line in app.contents.themes] == ["volume-ux"]
        assert app.contents.themes[0].progress.total == 1  # only cinder's blueprint of the theme
        assert [s.id for s in app.contents.sessions] == ["nova-cinder"]
        assert len(sessions.items) == 1
        assert "project:cinder" in plain(app.query_one(StatusBar))
        await pilot.press("p", "home", "enter")  # "all projects" clears it
        await pilot.pause()
        assert app.filter_by.projects == frozenset()
        assert len(keys_shown(app)) == 3


async def test_selecting_a_state_in_the_states_pane_filters_by_it(two):
    app = build(two.path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("tab")
        assert app.focused is app.query_one(StatesPane)
        await pilot.press("down", "down", "enter")  # proposed, approved, started
        await pilot.pause()
        assert app.filter_by.states == {State.STARTED}
        assert keys_shown(app) == ["stein/nova/beta"]
        assert app.contents.counts[State.APPROVED] == 1  # the other counts stay visible
        await pilot.press("enter")
        await pilot.pause()
        assert app.filter_by.states == frozenset() and len(keys_shown(app)) == 3


# -- marking -------------------------------------------------------------------------------


async def test_space_marks_done_everywhere_at_once_and_in_the_store(two, store_dir):
    app = build(two.path, store_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(BlueprintsPane)
        assert pane.select_key("stein/nova/alpha")
        await pilot.press("space")
        assert pane.current.state is State.IMPLEMENTED
        assert app.contents.counts[State.IMPLEMENTED] == 1
        assert app.contents.progress["stein"].done == 1
        volume = next(line for line in app.contents.themes if line.theme.id == "volume-ux")
        assert (volume.progress.done, volume.progress.total) == (1, 2)
        await app.workers.wait_for_complete()
        listed = run_subprocess(
            "list", "--seeds", str(two.path), "--store", str(store_dir), "--format", "json"
        )
        states = {row["key"]: row["state"] for row in json.loads(listed.stdout)}
        assert states["stein/nova/alpha"] == "implemented"
        await pilot.press("space")  # and back
        assert pane.current.state is State.APPROVED
        await app.workers.wait_for_complete()
    assert Board(two.path, store_dir).refresh().state_of("stein/nova/alpha") is State.APPROVED


async def test_a_mark_survives_a_restart(two, store_dir):
    app = build(two.path, store_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        app.query_one(BlueprintsPane).select_key("stein/nova/beta")
        await pilot.press("space")
        await app.workers.wait_for_complete()
    again = build(two.path, store_dir)
    async with again.run_test(size=(120, 36)):
        pane = again.query_one(BlueprintsPane)
        assert pane.select_key("stein/nova/beta") and pane.current.state is State.IMPLEMENTED


async def test_s_sets_any_state_and_u_undoes_every_step(two, store_dir):
    app = build(two.path, store_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(BlueprintsPane)
        pane.select_key("stein/nova/beta")
        await pilot.press("s")
        assert isinstance(app.screen, Picker)
        await pilot.press("home", "down", "down", "down", "enter")  # proposed approved started blocked
        assert pane.current.state is State.BLOCKED
        await pilot.press("space")
        assert pane.current.state is State.IMPLEMENTED
        await pilot.press("u")
        assert pane.current.state is State.BLOCKED
        await pilot.press("u")
        assert pane.current.state is State.STARTED
        await pilot.press("u")  # nothing left: no change
        assert pane.current.state is State.STARTED
        await app.workers.wait_for_complete()
    events = [
        (m.previous, m.state) for m in Board(two.path, store_dir).refresh().events_of("stein/nova/beta")
    ]
    assert events == [
        (State.STARTED, State.BLOCKED),
        (State.BLOCKED, State.IMPLEMENTED),
        (State.IMPLEMENTED, State.BLOCKED),
        (State.BLOCKED, State.STARTED),
    ]


async def test_o_opens_the_only_link_or_offers_a_choice(two, monkeypatch):
    opened = []
    monkeypatch.setattr("tui.app.open_in_browser", lambda url: opened.append(url) or True)
    app = build(two.path)
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(BlueprintsPane)
        pane.select_key("stein/nova/beta")
        await pilot.press("o")
        assert opened == ["https://review.opendev.org/c/333"]
        pane.select_key("stein/nova/alpha")
        await pilot.press("o")
        assert isinstance(app.screen, Picker)
        await pilot.press("down", "enter")
        assert opened[-1] == "https://review.opendev.org/c/111"
        pane.select_key("stein/cinder/gamma")
        await pilot.press("o")
        assert len(opened) == 2  # nothing to open; told so instead


async def test_o_starts_the_users_browser_and_a_terminal_browser_gets_the_url_instead(
    two, tmp_path, monkeypatch
):
    """Through the real opener: $BROWSER names a fake browser that records what it was given."""
    import webbrowser

    record = tmp_path / "opened.txt"
    fake = tmp_path / "fake-browser"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> {record}\n')
    fake.chmod(0o755)
    monkeypatch.setattr(webbrowser, "_tryorder", None)  # read $BROWSER again
    monkeypatch.setattr(webbrowser, "_browsers", {})
    monkeypatch.setenv("BROWSER", f"{fake} %s &")  # a browser that leaves the terminal alone
    app = build(two.path)
    async with app.run_test(size=(120, 36)) as pilot:
        app.query_one(BlueprintsPane).select_key("stein/nova/beta")
        await pilot.press("o")
        for _ in range(100):
            if record.exists():
                break
            await pilot.pause(0.05)
        assert record.read_text() == "https://review.opendev.org/c/333\n"
        assert [n.message for n in app._notifications][-1] == "Opened https://review.opendev.org/c/333"
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})
    monkeypatch.setenv("BROWSER", f"{fake} %s")  # run in the foreground, as w3m is: it would take the screen
    app = build(two.path)
    copied = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with app.run_test(size=(120, 36)) as pilot:
        app.query_one(BlueprintsPane).select_key("stein/nova/beta")
        await pilot.press("o")
        await pilot.pause()
        assert copied == ["https://review.opendev.org/c/333"]
        assert "No browser to open it" in [n.message for n in app._notifications][-1]
    assert record.read_text() == "https://review.opendev.org/c/333\n"  # it was not started again


async def test_o_hands_a_browser_only_web_addresses(two, tmp_path, monkeypatch):
    """A seed's url is data: text a browser would take as an option or a local file never reaches it."""
    import webbrowser

    record = tmp_path / "opened.txt"
    fake = tmp_path / "fake-browser"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> {record}\n')
    fake.chmod(0o755)
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})
    monkeypatch.setenv("BROWSER", f"{fake} %s &")
    app = build(two.path)
    async with app.run_test(size=(120, 36)) as pilot:
        for url in ("--remote-debugging-port=9222", "file:///etc/passwd", "javascript:alert(1)"):
            app.open_link(url)
            await pilot.pause()
            assert "Not a web address" in [n.message for n in app._notifications][-1]
        app.open_link("https://review.opendev.org/c/333")
        for _ in range(100):
            if record.exists():
                break
            await pilot.pause(0.05)
    assert record.read_text() == "https://review.opendev.org/c/333\n"


# -- reload, help, quit ------------------------------------------------------------------------


async def test_r_reloads_changed_seeds_keeping_cycle_cursor_and_filter(two):
    app = build(two.path, filter_text="project:nova")
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(BlueprintsPane)
        pane.select_key("stein/nova/beta")
        stein = two.path / "stein.toml"
        stein.write_text(stein.read_text().replace('"Beta feature"', '"Beta, renamed"'))
        before = app.reloads
        await pilot.press("r")
        await wait_for(pilot, lambda: app.reloads > before)
        assert pane.current.blueprint.title == "Beta, renamed"
        assert app.cycle == "stein" and str(app.filter_by) == "project:nova"


async def test_question_mark_lists_every_key_with_its_id_and_q_quits(two):
    app = build(two.path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(plain(s) for s in app.screen.query("Static"))
        for key in (
            "tab",
            "shift+tab",
            "↑",
            "k",
            "↓",
            "j",
            "home",
            "end",
            "pgup",
            "pgdn",
            "enter",
            "/",
            "p",
            "space",
            "s",
            "u",
            "o",
            "r",
            "?",
            "q",
            "^u",
            "esc",
        ):
            assert f" {key} " in f" {text} ".replace("\n", " "), key
        for binding_id in (
            "toggle-done",
            "set-state",
            "undo",
            "open-link",
            "reload",
            "filter",
            "pick-project",
        ):
            assert binding_id in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("q")
    assert app.return_code == 0


async def test_footer_shows_the_main_keys(two):
    app = build(two.path)
    async with app.run_test(size=(120, 36)):
        footer_keys = {b.key for _, b, enabled, _ in app.screen.active_bindings.values() if b.show}
        assert {"enter", "space", "s", "o", "slash", "p", "u", "r", "question_mark", "q"} <= footer_keys


async def test_the_command_palette_offers_every_key(two):
    app = build(two.path)
    async with app.run_test(size=(120, 36)) as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in (
            "Next pane",
            "Previous pane",
            "Up",
            "Down",
            "First",
            "Last",
            "Page up",
            "Page down",
            "Details",
            "Done",
            "State",
            "Open",
            "Undo",
            "Filter",
            "Project",
            "Reload",
            "Help",
            "Quit",
        ):
            assert any(t.startswith(title + " (") for t in titles), title
        done = next(c for c in app.get_system_commands(app.screen) if c.title.startswith("Done ("))
        app.query_one(BlueprintsPane).select_key("stein/nova/alpha")
        done.callback()
        await pilot.pause()
        assert app.query_one(BlueprintsPane).current.state is State.IMPLEMENTED


def with_keymap(seeds, tmp_path, monkeypatch, text: str):
    """The dashboard with a user's keymap file holding ``text``."""
    keymap = tmp_path / "keymap.toml"
    keymap.write_text(text)
    monkeypatch.setenv("CYCLEBOARD_KEYMAP", str(keymap))
    return build(seeds.path)


async def test_a_user_keymap_rebinds_by_id(two, tmp_path, monkeypatch):
    app = with_keymap(two, tmp_path, monkeypatch, 'toggle-done = "x"\nnot-a-binding = "z"\n')
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(BlueprintsPane)
        pane.select_key("stein/nova/alpha")
        await pilot.press("space")
        assert pane.current.state is State.APPROVED  # space is no longer bound
        await pilot.press("x")
        assert pane.current.state is State.IMPLEMENTED
        assert any("unknown binding id 'not-a-binding'" in str(n.message) for n in app._notifications)


@pytest.mark.parametrize(
    "text, expected",
    [
        ('keymap = "x"\n', "'keymap' must be a table"),
        ('toggle-done = "ctrl+"\n', "no key after the '+'"),
        ('toggle-done = ",,,"\n', "needs keys as a string"),
        ('toggle-done = "x,cmd+y"\n', "unknown modifier 'cmd'"),
        ('toggle-done = "spaec"\n', "unknown key name 'spaec'"),
    ],
)
async def test_a_bad_keymap_is_a_warning_and_the_default_keys_stay(
    two, tmp_path, monkeypatch, text, expected
):
    app = with_keymap(two, tmp_path, monkeypatch, text)
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(BlueprintsPane)
        pane.select_key("stein/nova/alpha")
        await pilot.press("space")
        assert pane.current.state is State.IMPLEMENTED  # space still toggles
        warnings = [str(n.message) for n in app._notifications if n.severity == "warning"]
        assert any(expected in w for w in warnings), warnings


# -- text from seeds ----------------------------------------------------------------------------

HOSTILE = "[TODO] x [/] [bold]y[/bold] [link=http://e]z[/link] \x1b]0;pwned\x07 \x1b[31mred"


async def test_seed_text_is_shown_literally_in_every_pane_and_details(two):
    stein = two.path / "stein.toml"
    text = stein.read_text()
    escaped = HOSTILE.replace("\x1b", "\\u001b").replace("\x07", "\\u0007")
    stein.write_text(
        text.replace('"Alpha feature"', f'"{escaped}"')
        .replace('"Volume-backed servers"', '"[b]Volume[/b] ["')
        .replace('"Nova and Cinder"', '"[/] Nova and Cinder [red]"')
    )
    expected = HOSTILE.replace("\x1b", "").replace("\x07", "")
    app = build(two.path)
    async with app.run_test(size=(200, 36)) as pilot:
        pane = app.query_one(BlueprintsPane)
        pane.select_key("stein/nova/alpha")
        await pilot.pause()
        lines = [pane.render_line(y).text for y in range(pane.size.height)]
        assert any(expected[:60] in line for line in lines)
        assert any("[b]Volume[/b] [" in t for t in option_texts(app.query_one(ThemesPane)))
        assert any("[/] Nova and Cinder [red]" in t for t in option_texts(app.query_one(SessionsPane)))
        await pilot.press("enter")
        details = " ".join(plain(s) for s in app.screen.query("Static"))
        assert expected in details and "\x1b" not in details


# -- built for size -----------------------------------------------------------------------------


async def test_the_blueprint_list_draws_only_visible_rows_and_takes_new_rows_in_one_step(two):
    from dataclasses import replace

    app = build(two.path)
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(BlueprintsPane)
        template = pane.rows[0]
        many = [
            template._replace(blueprint=replace(template.blueprint, id=f"bp-{i:05d}")) for i in range(50_000)
        ]
        drawn = []
        original = pane.render_line
        pane.render_line = lambda y: drawn.append(y) or original(y)
        pane.show(many, columns=Columns(key=16))
        assert len(pane.children) == 0 and pane.virtual_size.height == 50_001
        await pilot.pause()
        # A few screenfuls at most (a busy machine may paint a frame twice), never 50,000 rows.
        assert 0 < len(drawn) <= pane.size.height * 10
        drawn.clear()
        await pilot.press("end")
        await pilot.pause()
        assert pane.cursor == 49_999 and len(drawn) <= pane.size.height * 10
        assert pane.current.blueprint.id == "bp-49999"


async def test_list_panes_draw_only_lines_on_screen_and_a_mark_redraws_only_what_it_changed():
    """A pane item is data; it is drawn when its line is painted, and a line is
    drawn again only when its data changed (a mark changes two cycles' numbers)."""
    app = build(SHIPPED, cycle="kilo")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        drawn: dict[str, list] = {"cycles": [], "sessions": []}
        for name, cls in (("cycles", CyclesPane), ("sessions", SessionsPane)):
            pane = app.query_one(cls)
            original = pane.draw
            pane.draw = lambda line, original=original, name=name: (
                drawn[name].append(line.id) or original(line)
            )
        many = [session for _ in range(200) for session in app.board.plan.sessions.values()]
        sessions = app.query_one(SessionsPane)
        sessions.show(many)
        await pilot.pause()
        assert len(sessions.items) == len(many) > 1000
        assert 0 < len(drawn["sessions"]) <= sessions.size.height * 3  # not a thousand styled texts
        cycles = app.query_one(CyclesPane)
        before = dict(zip(cycles.items, map(cycles.content_of, cycles.items), strict=False))
        drawn["cycles"].clear()
        await pilot.press("space")  # the first Kilo blueprint: implemented, or back
        await pilot.pause()
        painted = list(drawn["cycles"])
        changed = {line.id for line in cycles.items if line not in before}
        assert changed == {"all", "kilo"}
        assert set(painted) == changed and len(painted) <= 3 * len(changed)


async def test_a_changed_item_is_repainted_where_the_pane_is_scrolled_to():
    from dataclasses import replace

    from tests.app.test_hostile_text import painted

    app = build(SHIPPED, cycle="kilo")
    async with app.run_test(size=(120, 36)) as pilot:
        sessions = app.query_one(SessionsPane)
        many = [
            replace(s, title=f"{s.title} {n}") for n in range(40) for s in app.board.plan.sessions.values()
        ]
        sessions.show(many)
        app.focus_pane("sessions")
        await pilot.press("end")
        await pilot.pause()
        top = round(sessions.scroll_y)
        assert top > 0
        last = top + sessions.scrollable_content_region.height - 1  # the bottom line on screen
        drawn = []
        original = sessions.draw
        sessions.draw = lambda line: drawn.append(line) or original(line)
        changed = list(many)
        changed[last] = replace(changed[last], title="Renamed-bottom")
        changed[top] = replace(changed[top], title="Renamed-top")
        sessions.show(changed)
        await pilot.pause()
        assert sorted(line.data[1] for line in drawn) == ["Renamed-bottom", "Renamed-top"]
        width = sessions.scrollable_content_region.width  # the scrollbar came: lines fit what is left
        assert all(line.data[3] == width - 10 for line in sessions.items)
        shown = "\n".join(painted(app, sessions.content_region))
        assert "Renamed-bottom" in shown and "Renamed-top" in shown


async def test_new_numbers_reach_the_screen_where_the_cycles_pane_is_scrolled_to():
    from dataclasses import replace

    from store.pane_contents import Progress
    from tests.app.test_hostile_text import painted

    app = build(SHIPPED, cycle="kilo")
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(CyclesPane)
        cycles = [
            replace(c, id=f"{c.id}-{n}") for n in range(10) for c in app.board.plan.cycles_newest_first()
        ]
        pane.show(cycles, {}, cycles[-1].id)  # the cursor on the last: the pane scrolls there
        await pilot.pause()
        top = round(pane.scroll_y)
        bottom = top + pane.scrollable_content_region.height - 1
        assert top > 0 and bottom == len(cycles)  # the line above the first cycle is "All cycles"
        pane.show(
            cycles, {cycles[-1].id: Progress(7, 977), cycles[top - 1].id: Progress(3, 955)}, cycles[-1].id
        )
        await pilot.pause()
        shown = "\n".join(painted(app, pane.content_region))
        assert "7/977" in shown and "3/955" in shown


async def test_with_more_cycles_than_fit_the_cycles_pane_opens_at_its_top(tmp_path):
    from tests.app.test_hostile_text import painted
    from tests.bench.generate import generate

    generate(tmp_path / "seeds", blueprints=200, cycles=35, projects=2)
    app = build(tmp_path / "seeds")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        pane = app.query_one(CyclesPane)
        assert len(pane.items) > pane.scrollable_content_region.height and pane.scroll_y == 0
        assert painted(app, pane.content_region)[0].startswith("All cycles")
        assert pane.current.id == app.cycle  # the newest cycle, just below


async def test_the_scrollbar_follows_the_row_count_and_comes_and_goes_with_it():
    """Rows change without a layout of the screen; the scrollbar must still follow."""
    app = build(SHIPPED, cycle="kilo")
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(BlueprintsPane)
        await pilot.pause()
        assert (
            pane.show_vertical_scrollbar and pane.vertical_scrollbar.window_virtual_size == 111
        )  # and the header
        await pilot.press("end")
        await pilot.press("slash", *"libvirt")
        await pilot.pause()
        assert 0 < len(pane.rows) < pane.size.height - 2
        assert not pane.show_vertical_scrollbar and pane.scroll_y == 0
        assert pane.current is not None
        await pilot.press("ctrl+u", *"nova")
        await pilot.pause()
        shown = len(pane.rows) + 1
        assert shown > pane.size.height and pane.show_vertical_scrollbar
        assert pane.vertical_scrollbar.window_virtual_size == shown
        await pilot.press("enter", "end")
        await pilot.pause()
        assert pane.scroll_y == pane.max_scroll_y > 0


def thumb_on_screen(app, bar) -> list[int]:
    """The rows of ``bar`` that the terminal is sent as its thumb (the cells a mouse grabs)."""
    strips = app.screen._compositor.render_strips()
    region = bar.region
    return [
        y - region.y
        for y in range(region.y, region.bottom)
        if any(
            segment.style and segment.style.meta.get("@mouse.down") == "grab"
            for segment in strips[y].crop(region.x, region.right)
        )
    ]


async def test_the_scrollbar_thumb_on_screen_follows_each_filter_keystroke():
    """A length change that leaves the thumb as it was skips the bar's repaint; one that
    moves or resizes it must still reach the screen."""
    app = build(SHIPPED, cycle="all")
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(BlueprintsPane)
        await pilot.pause()
        bar, seen = pane.vertical_scrollbar, []
        for keys in (["slash"], *"nova", ["backspace"], ["ctrl+u"], *"libvirt", ["ctrl+u"], *"sched"):
            await pilot.press(*keys)
            await pilot.pause()
            if not pane.show_vertical_scrollbar:
                continue
            expected = [y for y, segment in enumerate(thumb_cells(bar, len(pane.rows) + 1)) if segment]
            assert thumb_on_screen(app, bar) == expected, keys
            seen.append(len(expected))
        assert len(set(seen)) >= 3  # the thumb did change size along the way


def thumb_cells(bar, lines: int) -> list[bool]:
    """Which of ``bar``'s rows Textual's own scrollbar drawing makes thumb, over ``lines`` lines."""
    window = bar.window_size if bar.window_size < lines else 0
    drawn = bar.renderer.render_bar(
        size=bar.size.height,
        virtual_size=lines,
        window_size=window,
        position=bar.position,
        thickness=bar.size.width,
        vertical=True,
    )
    return [segment.style.meta.get("@mouse.down") == "grab" for segment in drawn.segments]


async def test_dashboard_keys_wait_while_a_details_screen_is_open(two):
    app = build(two.path)
    async with app.run_test(size=(120, 36)) as pilot:
        app.query_one(BlueprintsPane).select_key("stein/nova/alpha")
        await pilot.press("enter", "p", "slash", "u", "question_mark")
        assert isinstance(app.screen, BlueprintDetails) and len(app.screen_stack) == 2
        assert not app.query_one(FilterBar).display
        await pilot.press("escape", "p")
        assert isinstance(app.screen, Picker)  # and work again on the dashboard


async def test_every_line_on_screen_follows_a_filter_keystroke():
    """A keystroke changes the numbers of many neighbouring lines, repainted in runs: none is left behind."""
    from tests.app.test_hostile_text import painted

    app = build(SHIPPED, cycle="all")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("slash")
        for key in ("s", "c", "backspace", "backspace", "n", "o"):
            await pilot.press(key)
            await pilot.pause()
            for pane in (app.query_one(CyclesPane), app.query_one(StatesPane)):
                top, height = round(pane.scroll_y), pane.scrollable_content_region.height
                wanted = [str(pane.content_of(line)).rstrip() for line in pane.items[top : top + height]]
                assert [text.rstrip() for text in painted(app, pane.content_region)][
                    : len(wanted)
                ] == wanted, key
            rows = app.query_one(BlueprintsPane)
            shown = painted(app, rows.content_region)[1:]  # below the header
            keys = [row.blueprint for row in rows.rows[round(rows.scroll_y) :][: len(shown)]]
            # The key column shows the id, or project/id when several projects are shown; cut short.
            assert all(
                bp.id[:8] in line or bp.key_in_cycle[:8] in line
                for bp, line in zip(keys, shown, strict=False)
            ), key


def record_frames(app, read) -> list:
    """Call ``read()`` after every frame the app sends to the terminal, and keep what it returns."""
    frames, display = [], app._display

    def recording(screen, update) -> None:
        display(screen, update)
        if update is not None:
            frames.append(read())

    app._display = recording
    return frames


async def test_the_filter_line_and_the_panes_it_filters_reach_the_screen_in_one_frame():
    """No frame shows a letter in the filter line while the panes still show the rows from before it."""
    from tests.app.test_hostile_text import painted

    app = build(SHIPPED, cycle="all")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("slash")
        await pilot.pause()
        line = app.query_one(FilterBar).region
        title = app.query_one(BlueprintsPane).region

        def shown_now() -> tuple[str, str]:  # the line's first word, and the Blueprints count
            return painted(app, line)[0].split()[0], painted(app, title)[0].split("Blueprints (")[1].split(
                ")"
            )[0]

        empty = shown_now()[0]  # an empty line shows its placeholder
        frames = record_frames(app, shown_now)
        counts = {}
        for typed in ("s", "sc", "sch", ""):
            await pilot.press(typed[-1] if typed else "ctrl+u")
            await wait_for(pilot, lambda t=typed: app.contents.query.words == ((t,) if t else ()))
            await pilot.pause()
            counts["/" + typed if typed else empty] = str(len(app.query_one(BlueprintsPane).rows))
        assert len(set(counts.values())) == 4  # each keystroke changed the count
        shown = [(text, count) for text, count in frames if text in counts]
        assert {text for text, _ in shown} == set(counts), frames
        assert all(counts[text] == count for text, count in shown), shown


async def test_a_filter_change_nobody_takes_up_still_reaches_the_screen():
    """The filter line holds the screen only until the app has filtered the panes, and never for long."""
    from textual.app import App

    from tests.app.test_hostile_text import painted

    class BareLine(App[None]):  # takes no FilterBar.Changed, so nothing lets the screen go
        CSS = "FilterBar { height: 1; } FilterInput { border: none; height: 1; padding: 0; width: 1fr; }"

        def compose(self):
            yield FilterBar()

        def on_mount(self) -> None:
            self.query_one(FilterBar).open("")

    app = BareLine()
    async with app.run_test(size=(60, 3)) as pilot:
        await pilot.pause()
        frames = record_frames(app, lambda: painted(app)[0])
        await pilot.press("x")
        await pilot.pause(0.15)  # the backstop (0.1 s), and well before the cursor blinks (0.5 s)
        assert any(text.startswith("/x") for text in frames), frames


async def test_rows_take_the_new_colours_when_the_theme_changes(two):
    """The Blueprints pane keeps the styles it paints rows with; a new theme must replace them."""
    app = build(two.path)
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(BlueprintsPane)
        await pilot.pause()

        def key_colour():
            key_text = pane.rows[0].blueprint.key_in_cycle[:8]
            return next(seg.style.color for seg in pane.render_line(1) if seg.text.startswith(key_text))

        before = key_colour()
        app.theme = "textual-light"
        await pilot.pause()
        wanted = pane.get_component_rich_style("blueprints--key", partial=True).color
        assert wanted != before
        assert key_colour() == wanted


async def test_keys_read_in_one_burst_land_where_each_belongs(two):
    """What a paste or a fast typist gives: the app reads every key before handling the first."""
    from textual import events

    app = build(two.path)
    async with app.run_test(size=(120, 36)) as pilot:
        for key, character in [("slash", "/"), *((c, c) for c in "gamma"), ("enter", "\r"), ("space", " ")]:
            app.post_message(events.Key(key, character))
        await wait_for(pilot, lambda: app.board.unsaved == 0 and app.undo_stack, 5)
        await pilot.pause()
        assert str(app.filter_by) == "gamma"
        pane = app.query_one(BlueprintsPane)
        assert pane.current_key == "stein/cinder/gamma" and pane.current.state is State.IMPLEMENTED
        assert len(app.undo_stack) == 1


async def test_what_the_dashboard_says_is_never_read_as_markup(two, store_dir, monkeypatch):
    """An error quoting a seed file's name or text is shown as written, brackets and all."""
    from store.seed_edit import EditRefused

    app = build(two.path, store_dir)

    def refused(mark, restore=None):
        raise EditRefused("team[bold]x[/bold].toml changed since")

    monkeypatch.setattr(app.board, "save", refused)
    async with app.run_test(size=(120, 36)) as pilot:
        app.query_one(BlueprintsPane).select_key("stein/nova/alpha")
        await pilot.press("space")
        await app.workers.wait_for_complete()
        await pilot.pause()
        said = [n for n in app._notifications if "toml changed since" in n.message]
        assert said and not said[-1].markup
        assert "team[bold]x[/bold].toml" in said[-1].message


async def test_the_filter_line_takes_a_cycle_by_name_and_says_when_a_name_is_unknown(store_dir):
    app = build(SHIPPED, store_dir, cycle="kilo")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("slash", *"cycle:antelope", "enter")
        await pilot.pause()
        assert app.cycle == "2023.1"
        await pilot.press("slash", "ctrl+u", *"project:nonesuch", "enter")
        await pilot.pause()
        bar = app._widget(FilterBar)
        assert bar.display  # left open, with the reason
        assert "unknown project 'nonesuch' (known: " in str(bar.query_one("#filter-hint").render())
        assert app.filter_by.projects == frozenset()


async def test_a_filter_applied_as_typed_is_no_longer_shown_as_a_preview(two, store_dir):
    app = build(two.path, store_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("slash", *"gamma")
        await pilot.pause()
        status = lambda: str(app._widget(StatusBar).render())  # noqa: E731
        assert "filter: gamma (preview)" in status()
        await pilot.press("enter")
        await pilot.pause()
        assert "filter: gamma" in status() and "(preview)" not in status()


async def test_help_scrolls_with_the_usual_keys_as_soon_as_it_opens(two, store_dir):
    app = build(two.path, store_dir)
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        body = app.screen.query_one("#help-body")
        assert body.max_scroll_y > 0  # more keys than the screen holds
        await pilot.press("j")
        await pilot.pause()
        assert body.scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y
        await pilot.press("home", "pagedown")
        await pilot.pause()
        assert body.scroll_y > 0


@pytest.mark.parametrize(
    ("today", "opens_on"),
    [("2026-11-21", "now"), ("2026-07-01", "now"), ("2028-01-01", "next")],
)
async def test_the_dashboard_opens_on_the_cycle_running_today_else_the_next_else_the_newest(
    seeds, store_dir, today, opens_on
):
    """Running on 2026-11-21 though a newer one is planned; on 2026-07-01 none runs and "now"
    starts first; in 2028 all are over, so the newest."""
    import datetime as dt

    seeds.write(
        "plan.toml",
        '[[project]]\nid = "nova"\n'
        '[[cycle]]\nid = "past"\nstart = 2026-01-01\nrelease = 2026-06-01\n'
        '[[cycle]]\nid = "now"\nstart = 2026-09-01\nrelease = 2027-03-01\n'
        '[[cycle]]\nid = "next"\nstart = 2027-04-01\nrelease = 2027-10-01\n',
    )
    app = build(seeds.path, store_dir, today=dt.date.fromisoformat(today))
    async with app.run_test(size=(120, 36)):
        assert app.cycle == opens_on


def footer_keys(app) -> dict[str, str]:
    """What the footer on top offers: key shown -> description."""
    return {
        app.get_key_display(active.binding): active.binding.description
        for active in app.screen.active_bindings.values()
        if active.binding.show
    }


async def test_a_blueprints_details_offer_its_own_keys_and_they_act_on_it(two, store_dir):
    app = build(two.path, store_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        app.query_one(BlueprintsPane).select_key("stein/nova/alpha")
        await pilot.press("enter")
        details = app.screen
        assert isinstance(details, BlueprintDetails)
        offered = footer_keys(app)
        assert {"space": "Done", "s": "State", "o": "Open", "esc": "Close"}.items() <= offered.items()
        assert "Filter" not in offered.values() and "Quit" not in offered.values()
        assert details.query("Footer")  # drawn over the dashboard's
        await pilot.press("space")
        await app.workers.wait_for_complete()
        assert app.board.state_of("stein/nova/alpha") is State.IMPLEMENTED
        assert "implemented" in str(details.query_one("#details-summary").render())
        await pilot.press("s", *"bloc", "enter")
        await app.workers.wait_for_complete()
        assert app.screen is details
        assert app.board.state_of("stein/nova/alpha") is State.BLOCKED
        assert "blocked" in str(details.query_one("#details-summary").render())
    assert Board(two.path, store_dir).refresh().state_of("stein/nova/alpha") is State.BLOCKED


async def test_the_footer_draws_each_panes_keys_and_keeps_them_when_they_stay_the_same(two):
    from textual.widgets._footer import FooterKey

    from tests.app.test_hostile_text import painted

    app = build(two.path, cycle="stein")
    async with app.run_test(size=(160, 36)) as pilot:
        await pilot.pause()

        def footer_line() -> str:
            return painted(app)[-1]

        def key_widgets() -> list[FooterKey]:
            return list(app.screen.query(FooterKey))

        assert "space Done" in footer_line() and "s State" in footer_line()
        app.focus_pane("themes")
        await pilot.pause()
        assert "Done" not in footer_line() and "enter Details" in footer_line()
        drawn = key_widgets()
        for pane in ("sessions", "cycles", "states"):  # the same keys as the themes pane
            app.focus_pane(pane)
            await pilot.pause()
            assert key_widgets() == drawn, f"the footer was built again for the {pane} pane"
        app.focus_pane("blueprints")
        await pilot.pause()
        assert "space Done" in footer_line() and "s State" in footer_line()


async def test_pickers_find_what_is_typed_and_offer_their_keys(two):
    app = build(two.path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("p")
        assert isinstance(app.screen, Picker)
        assert {"enter": "Choose", "esc": "Cancel"}.items() <= footer_keys(app).items()
        await pilot.press(*"cin")  # "c" alone would do; "q" and "j" are letters here too
        assert app.screen.query_one("#picker-list").highlighted_option.id == "cinder"
        await pilot.press("enter")
        assert app.filter_by.projects == {"cinder"}
        await pilot.press("p", *"zz")
        assert "no match" in str(app.screen.query_one("#picker-list").border_subtitle)
        await pilot.press("escape")
        assert app.filter_by.projects == {"cinder"}


def pane_lines(app) -> list[str]:
    pane = app.query_one(BlueprintsPane)
    return [pane.render_line(y).text for y in range(min(pane.size.height, len(pane.rows) + 1))]


async def test_columns_drop_what_every_row_shares_and_give_empty_ones_away(two):
    app = build(two.path, cycle="stein")
    async with app.run_test(size=(200, 50)) as pilot:
        header, *rows = pane_lines(app)
        assert "nova/alpha" in "\n".join(rows) and "cinder/gamma" in "\n".join(rows)  # two projects
        assert "reviews" in header and "cycle" not in header
        await pilot.press("slash", *"project:nova", "enter")
        await pilot.pause()
        header, *rows = pane_lines(app)
        pane = app.query_one(BlueprintsPane)
        assert pane.border_title == "Blueprints (2) · nova"  # said once, not on every row
        assert "nova/" not in "\n".join(rows) and rows[0].split()[2] == "alpha"
        assert "…" not in "\n".join(rows)  # 200 columns: nothing is cut
        await pilot.press("slash", "ctrl+u", *"gamma", "enter")  # cinder's: no reviews
        await pilot.pause()
        header, *rows = pane_lines(app)
        assert "reviews" not in header and "category" in header
        app.cycle = "all"
        await pilot.pause()
        header, *rows = pane_lines(app)
        assert header.split()[:3] == ["state", "cycle", "id"]
        assert rows[0].split()[2:4] == ["stein", "gamma"]


# -- sorting, finding, editing -------------------------------------------------------


async def test_shift_letters_sort_the_blueprints_each_way_and_the_footer_shows_them(two):
    app = build(two.path, cycle="stein")
    async with app.run_test(size=(160, 36)) as pilot:
        pane = app.query_one(BlueprintsPane)
        plan_order = keys_shown(app)
        assert plan_order == ["stein/cinder/gamma", "stein/nova/alpha", "stein/nova/beta"]
        await pilot.pause()
        footer = app.screen.query_one("Footer")
        assert "Sort" in "".join(str(label.render()) for label in footer.query("FooterLabel"))
        assert {"S": "Sort by state", "T": "Sort by title", "R": "Sort by risk"}.items() <= footer_keys(
            app
        ).items()
        pane.select_key("stein/nova/beta")
        await pilot.press("S")  # proposed, approved, started
        assert keys_shown(app) == ["stein/cinder/gamma", "stein/nova/alpha", "stein/nova/beta"]
        assert pane.current_key == "stein/nova/beta"  # the cursor stays on its blueprint
        await pilot.press("S")
        assert keys_shown(app) == ["stein/nova/beta", "stein/nova/alpha", "stein/cinder/gamma"]
        assert pane.current_key == "stein/nova/beta" and pane.cursor == 0
        assert "state ▼" in pane_lines(app)[0] and "by state ↓" in str(pane.border_title)
        await pilot.press("C")  # Block Storage, Cells, Volumes
        assert keys_shown(app) == ["stein/nova/alpha", "stein/nova/beta", "stein/cinder/gamma"]
        assert "category ▲" in pane_lines(app)[0]
        await pilot.press("T", "T")  # Gamma, Beta, Alpha
        assert keys_shown(app) == ["stein/cinder/gamma", "stein/nova/beta", "stein/nova/alpha"]
        # The order holds through a filter and a mark.
        await pilot.press("slash", *"feature", "enter")
        await pilot.pause()
        assert keys_shown(app) == ["stein/cinder/gamma", "stein/nova/beta", "stein/nova/alpha"]
        await pilot.press("T")  # a third time: the plan's order
        assert keys_shown(app) == plan_order
        assert "▲" not in pane_lines(app)[0] and "by " not in str(pane.border_title)


async def test_r_sorts_the_blueprints_at_risk_first():
    app = build(SHIPPED, cycle="stein", today=dt.date(2019, 3, 20))  # after Stein's feature freeze
    async with app.run_test(size=(160, 36)) as pilot:
        await pilot.press("R")
        rows = app.query_one(BlueprintsPane).rows
        assert rows[0].state is State.BLOCKED  # blocked and past the freeze: two reasons
        done = [i for i, r in enumerate(rows) if r.state in (State.IMPLEMENTED, State.ABANDONED)]
        under_way = [i for i, r in enumerate(rows) if r.state not in (State.IMPLEMENTED, State.ABANDONED)]
        assert max(under_way) < min(done)  # everything not landed is at risk after the freeze


async def test_f_finds_by_typing_in_the_blueprints_and_in_every_list_pane(two):
    app = build(two.path, cycle="stein")
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(BlueprintsPane)
        assert pane.current_key == "stein/cinder/gamma"
        await pilot.press("f", *"feat")  # all three have it: the first from where the find began
        assert pane.current_key == "stein/cinder/gamma"
        await pilot.press("down")  # the next one that has it
        assert pane.current_key == "stein/nova/alpha"
        await pilot.press("backspace", "backspace", "backspace", "backspace", *"beta")
        assert pane.current_key == "stein/nova/beta"
        assert "find: beta" in str(pane.border_subtitle)
        await pilot.press(*"zq")  # letters are the find's now: q does not quit
        assert app.is_running and "no match" in str(pane.border_subtitle)
        await pilot.press("escape")  # back to where the find began
        assert pane.current_key == "stein/cinder/gamma" and not pane.border_subtitle
        await pilot.press("f", *"alp", "enter")  # enter keeps the row, and the keys are keys again
        assert pane.current_key == "stein/nova/alpha"
        await pilot.press("space")
        assert app.board.row("stein/nova/alpha").state is State.IMPLEMENTED
        app.focus_pane("sessions")
        await pilot.press("f", *"retro")
        assert app.query_one(SessionsPane).current_id == "stein/nova-only"
        app.focus_pane("cycles")
        await pilot.press("f", *"roc", "enter")
        assert app.cycle == "rocky"


async def test_e_opens_the_selected_item_in_the_editor_at_its_line_and_reads_it_again(
    two, store_dir, monkeypatch
):
    monkeypatch.setenv("VISUAL", "my-editor --flag")
    app = build(two.path, store_dir, cycle="stein")
    opened: list[list[str]] = []
    stein = two.path / "stein.toml"

    def editor(command: list[str]) -> int:  # what the user does in their editor: edit, save, quit
        opened.append(command)
        stein.write_text(stein.read_text().replace('"Alpha feature"', '"Alpha, as edited"'))
        return 0

    app.run_editor = editor
    async with app.run_test(size=(120, 36)) as pilot:
        app.query_one(BlueprintsPane).select_key("stein/nova/alpha")
        await pilot.press("e")
        assert opened[-1][:2] == ["my-editor", "--flag"] and opened[-1][3] == str(stein)
        line = int(opened[-1][2].lstrip("+"))
        written = stein.read_text().splitlines()
        assert written[line - 1] == "[[blueprint]]" and written[line] == 'id = "alpha"'
        await wait_for(pilot, lambda: app.board.row("stein/nova/alpha").blueprint.title == "Alpha, as edited")
        app.focus_pane("sessions")
        await pilot.press("e")
        line = int(opened[-1][2].lstrip("+"))
        assert stein.read_text().splitlines()[line - 1] == "[[session]]"
        # A seed error in the red line comes first: e opens it, E lists every one.
        two.write(
            "rocky.toml", '[[blueprint]]\ncycle = "rocky"\nproject = "nova"\nid = "x"\nstate = "bogus"\n'
        )
        await pilot.press("r")
        await wait_for(pilot, lambda: bool(app.board.plan.problems))
        problem = app.board.plan.problems[0]
        await pilot.press("e")
        assert opened[-1][2:] == [f"+{problem.line}", str(two.path / "rocky.toml")]
        await pilot.press("E")
        assert isinstance(app.screen, Picker)
        listed = str(app.screen.query_one("#picker-list").get_option_at_index(0).prompt)
        assert listed.startswith(f"rocky.toml:{problem.line}:{problem.col}  ")  # as seen from the seeds
        await pilot.press("enter")
        assert len(opened) == 4 and opened[-1][-1] == str(two.path / "rocky.toml")


async def test_e_says_why_when_no_editor_can_be_started(two, store_dir, monkeypatch):
    monkeypatch.setenv("VISUAL", "/nonexistent/editor")
    app = build(two.path, store_dir, cycle="stein")
    async with app.run_test(size=(120, 36)) as pilot:
        app.run_editor = lambda command: subprocess.call(command)  # the terminal's hand-over aside
        await pilot.press("e")
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert any("Could not start /nonexistent/editor" in m for m in said)
        app.run_editor = lambda command: (_ for _ in ()).throw(SuspendNotSupported())
        await pilot.press("e")
        await pilot.pause()
        assert any("cannot be lent to an editor" in n.message for n in app._notifications)
