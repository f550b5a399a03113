"""Details of one blueprint, theme or session, over the dashboard; escape closes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from store.board import Row
from store.links import links
from store.marks import Mark
from store.model import Session, State, Theme
from tui.text import state_label

Section = tuple[str, list[Content]]


def _field(name: str, value: str | Content) -> Content:
    return Content.assemble((f"{name:<13}", "$text-muted"), value)


def _row_line(row: Row) -> Content:
    return Content.assemble(state_label(row.state).pad_right(12 - len(row.state.value)), " ",
                            (row.blueprint.key, "$accent"), "  ", row.blueprint.title)


class DetailsScreen(ModalScreen[None]):
    """A titled page of sections; subclasses only choose what goes in it."""

    BINDINGS = [
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
            yield Static(Content("\n").join(self._summary), classes="details-summary")
            for heading, lines in self._sections:
                yield Static(Content.styled(heading, "bold $accent"), classes="details-heading")
                body_text = Content("\n").join(lines) if lines else Content.styled("none", "$text-muted")
                yield Static(body_text, classes="details-section")

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll_up(self) -> None:
        self.query_one(VerticalScroll).scroll_up()

    def action_scroll_down(self) -> None:
        self.query_one(VerticalScroll).scroll_down()


class BlueprintDetails(DetailsScreen):
    BINDINGS = [Binding("o", "open_link", "Open", id="details-open-link",
                        tooltip="Open the blueprint's review or URL in a browser")]

    class LinkRequested(Message):
        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def __init__(self, row: Row, themes: list[Theme], sessions: list[Session], events: list[Mark]) -> None:
        bp = row.blueprint
        summary = [
            Content.styled(bp.title, "bold"),
            Content(""),
            _field("key", bp.key),
            _field("state", Content.assemble(
                state_label(row.state),
                (f"   (seed says {bp.state.value})" if row.state != bp.state else "", "$text-muted"))),
            _field("project", bp.project),
            _field("cycle", bp.cycle),
            _field("category", bp.category or "—"),
            _field("owner", bp.owner or "—"),
            _field("fast-tracked", "yes" if bp.fast_tracked else "no"),
        ]
        link_lines = [Content.assemble((f"{label:<16}", "$text-muted"), url) for label, url in links(bp)]
        seed_history = [Content.assemble((str(h.date), "$text-muted"), "  ", state_label(h.state))
                        for h in bp.history]
        mark_history = [
            Content.assemble((m.at.strftime("%Y-%m-%d %H:%M UTC"), "$text-muted"), "  ",
                             state_label(m.previous), " → ", state_label(m.state),
                             (f"   {m.by} via {m.via}", "$text-muted"))
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


class SessionDetails(DetailsScreen):
    def __init__(self, session: Session, rows: list[Row]) -> None:
        summary = [
            Content.styled(session.title, "bold"),
            Content(""),
            _field("key", session.key),
            _field("event", session.event or "—"),
            _field("date", str(session.date) if session.date else "—"),
            _field("projects", ", ".join(session.projects) + ("  (cross-project)" if session.cross_project else "")),
        ]
        actions = [
            Content.assemble(("☑ " if a.done else "☐ ", "$success" if a.done else "$warning"),
                             (a.owner, "bold"), ": ", a.text)
            for a in session.actions
        ]
        sections: list[Section] = [
            ("Agreements", [Content.assemble("• ", text) for text in session.agreements]),
            (f"Action items ({len(session.open_actions)} open)", actions),
            ("Blueprints", [_row_line(r) for r in rows]),
        ]
        super().__init__(session.key, f"Session {session.key}", summary, sections)
