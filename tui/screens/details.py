"""Details of one blueprint, theme or session, over the dashboard; escape closes."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static

from store.board import Row
from store.links import links
from store.marks import Mark
from store.model import Action, Session, State, Theme
from tui.text import state_label
from tui.widgets.key_footer import KeyFooter

Section = tuple[str, list[Content]]


def _field(name: str, value: str | Content) -> Content:
    return Content.assemble((f"{name:<13}", "$text-muted"), value)


def _row_line(row: Row) -> Content:
    return Content.assemble(
        state_label(row.state).pad_right(12 - len(row.state.value)),
        " ",
        (row.blueprint.key, "$accent"),
        "  ",
        row.blueprint.title,
    )


class DetailsScreen(ModalScreen[None]):
    """A titled page of sections; subclasses only choose what goes in it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="close-details", tooltip="Back to the dashboard"),
        Binding("up,k", "scroll_up", "Up", show=False),
        Binding("down,j", "scroll_down", "Down", show=False),
    ]

    def __init__(self, key: str, title: str, summary: list[Content], sections: list[Section]) -> None:
        super().__init__(classes="details")
        self.key = key
        self._title = title
        self._summary = summary
        self._sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="details-body") as body:
            body.border_title = Content(self._title)
            body.border_subtitle = "escape: back"
            yield Static(Content("\n").join(self._summary), classes="details-summary", id="details-summary")
            for heading, lines in self._sections:
                yield Static(
                    Content.styled(heading, "bold $accent"),
                    classes="details-heading",
                    id=self.heading_id(heading),
                )
                yield from self.section_body(heading, lines)
        yield KeyFooter()  # this pop-up's own keys, not the dashboard's beneath it

    def heading_id(self, heading: str) -> str | None:
        return None

    def section_body(self, heading: str, lines: list[Content]) -> ComposeResult:
        body_text = Content("\n").join(lines) if lines else Content.styled("none", "$text-muted")
        yield Static(body_text, classes="details-section")

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll_up(self) -> None:
        self.query_one(VerticalScroll).scroll_up()

    def action_scroll_down(self) -> None:
        self.query_one(VerticalScroll).scroll_down()


class BlueprintDetails(DetailsScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "space",
            "toggle_done",
            "Done",
            id="details-toggle-done",
            tooltip="Mark this blueprint implemented, or back to the state it had before",
        ),
        Binding("s", "set_state", "State", id="details-set-state", tooltip="Set this blueprint's state"),
        Binding(
            "o",
            "open_link",
            "Open",
            id="details-open-link",
            tooltip="Open the blueprint's review or URL in a browser",
        ),
    ]

    class LinkRequested(Message):
        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    class ToggleRequested(LinkRequested):
        pass

    class StatePickRequested(LinkRequested):
        pass

    @staticmethod
    def summary_of(row: Row) -> list[Content]:
        bp = row.blueprint
        return [
            Content.styled(bp.title, "bold"),
            Content(""),
            _field("key", bp.key),
            _field(
                "state",
                Content.assemble(
                    state_label(row.state),
                    (f"   (seed says {bp.state.value})" if row.state != bp.state else "", "$text-muted"),
                ),
            ),
            _field("project", bp.project),
            _field("cycle", bp.cycle),
            _field("category", bp.category or "—"),
            _field("owner", bp.owner or "—"),
            _field("fast-tracked", "yes" if bp.fast_tracked else "no"),
        ]

    def __init__(self, row: Row, themes: list[Theme], sessions: list[Session], events: list[Mark]) -> None:
        bp = row.blueprint
        summary = self.summary_of(row)
        found = links(bp)
        label_width = max((len(label) for label, _ in found), default=0) + 2
        link_lines = [
            Content.assemble((label.ljust(label_width), "$text-muted"), url) for label, url in found
        ]
        seed_history = [
            Content.assemble(
                (str(h.date), "$text-muted"),
                "  ",
                state_label(h.state),
                (f"   by {h.by}" if h.by else "", "$text-muted"),
            )
            for h in bp.history
        ]
        mark_history = [
            Content.assemble(
                (m.at.strftime("%Y-%m-%d %H:%M UTC"), "$text-muted"),
                "  ",
                state_label(m.previous),
                " → ",
                state_label(m.state),
                (
                    f"   {m.by} via {m.via}, " + (f"in {m.where}" if m.where else "kept locally"),
                    "$text-muted",
                ),
            )
            for m in events
        ]
        sections: list[Section] = [
            ("Reviews and links (o opens)", link_lines),
            ("History in the seeds", seed_history),
            ("Changes made with cycleboard", mark_history),
            ("Themes", [Content.assemble((t.key, "$accent"), "  ", t.title) for t in themes]),
            ("Sessions", [Content.assemble((s.key, "$accent"), "  ", s.title) for s in sessions]),
        ]
        super().__init__(bp.key, f"Blueprint {bp.key}", summary, sections)

    def action_open_link(self) -> None:
        self.post_message(self.LinkRequested(self.key))

    def action_toggle_done(self) -> None:
        self.post_message(self.ToggleRequested(self.key))

    def action_set_state(self) -> None:
        self.post_message(self.StatePickRequested(self.key))

    def show_row(self, row: Row) -> None:
        """The blueprint as the board shows it now (a mark made here, or a reload)."""
        self.query_one("#details-summary", Static).update(Content("\n").join(self.summary_of(row)))


class ThemeDetails(DetailsScreen):
    def __init__(self, theme: Theme, rows: list[Row]) -> None:
        done = sum(1 for r in rows if r.state is State.IMPLEMENTED)
        summary = [
            Content.styled(theme.title, "bold"),
            Content(""),
            _field("key", theme.key),
            _field("kind", theme.kind.value),
            _field("project", theme.project or "—"),
            _field("progress", f"{done} of {len(rows)} blueprints implemented"),
        ]
        sections: list[Section] = [
            ("Description", [Content(theme.description)] if theme.description else []),
            ("Blueprints", [_row_line(r) for r in rows]),
        ]
        super().__init__(theme.key, f"Theme {theme.key}", summary, sections)


def _action_line(action: Action) -> Content:
    return Content.assemble(
        ("☑ " if action.done else "☐ ", "$success" if action.done else "$warning"),
        (action.owner, "bold"),
        ": ",
        action.text,
    )


class ActionItems(OptionList):
    """A session's action items; ``space`` asks for the highlighted one to be ticked (or unticked)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "tick", "Tick", id="tick-action", tooltip="Tick the action item off, or undo it")
    ]

    class ToggleRequested(Message):
        def __init__(self, session: str, index: int, done: bool) -> None:
            super().__init__()
            self.session = session
            self.index = index
            self.done = done

    def __init__(self, session: Session) -> None:
        super().__init__(*[_action_line(a) for a in session.actions], id="action-items")
        self.session = session

    def on_mount(self) -> None:
        if self.option_count:
            self.highlighted = 0

    def action_tick(self) -> None:
        at = self.highlighted
        if at is not None:
            self.post_message(self.ToggleRequested(self.session.key, at, not self.session.actions[at].done))

    def show(self, session: Session) -> None:
        """The session as the seeds now say: lines redrawn in place, the highlight kept."""
        at = self.highlighted
        self.session = session
        self.clear_options()
        self.add_options([_action_line(a) for a in session.actions])
        if self.option_count:
            self.highlighted = min(at or 0, self.option_count - 1)


class SessionDetails(DetailsScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("u", "undo", "Undo", id="details-undo", tooltip="Undo the last change made in this dashboard")
    ]

    class UndoRequested(Message):
        """``u`` in the details: the app's undo stack decides what it takes back."""

    def action_undo(self) -> None:
        self.post_message(self.UndoRequested())

    def __init__(self, session: Session, rows: list[Row]) -> None:
        summary = [
            Content.styled(session.title, "bold"),
            Content(""),
            _field("key", session.key),
            _field("event", session.event or "—"),
            _field("date", str(session.date) if session.date else "—"),
            _field(
                "projects",
                ", ".join(session.projects) + ("  (cross-project)" if session.cross_project else ""),
            ),
        ]
        self.session = session
        sections: list[Section] = [
            ("Agreements", [Content.assemble("• ", text) for text in session.agreements]),
            (self._actions_heading(session), []),  # the list itself is a widget, below
            ("Blueprints", [_row_line(r) for r in rows]),
        ]
        super().__init__(session.key, f"Session {session.key}", summary, sections)

    @staticmethod
    def _actions_heading(session: Session) -> str:
        return f"Action items ({len(session.open_actions)} open; space ticks one)"

    def heading_id(self, heading: str) -> str | None:
        return "actions-heading" if heading.startswith("Action items") else None

    def section_body(self, heading: str, lines: list[Content]) -> ComposeResult:
        if heading.startswith("Action items") and self.session.actions:
            yield ActionItems(self.session)
        else:
            yield from super().section_body(heading, lines)

    def on_mount(self) -> None:
        if self.session.actions:
            self.query_one(ActionItems).focus(scroll_visible=False)  # the details open at their top

    def show(self, session: Session) -> None:
        """The session as a new read of the seeds gives it."""
        self.session = session
        self.query_one("#actions-heading", Static).update(
            Content.styled(self._actions_heading(session), "bold $accent")
        )
        if session.actions:
            self.query_one(ActionItems).show(session)
