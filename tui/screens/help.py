"""The ``?`` screen: every key, as it is bound now (a user keymap included)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.widgets.key_footer import KeyFooter


@dataclass(frozen=True)
class KeyLine:
    keys: str
    description: str
    id: str


class HelpScreen(ModalScreen[None]):
    # The list takes the keys at once: arrows, page keys, home and end scroll it, and j/k as in the panes.
    AUTO_FOCUS = "#help-body"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="close-help", tooltip="Back to the dashboard"),
        Binding("j", "scroll('down')", "Down", show=False),
        Binding("k", "scroll('up')", "Up", show=False),
    ]

    def __init__(self, groups: list[tuple[str, list[KeyLine]]]) -> None:
        super().__init__(classes="help")
        self._groups = groups

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body") as body:
            body.border_title = "Keys"
            body.border_subtitle = "escape: back · ctrl+p: command palette"
            every = [line for _, lines in self._groups for line in lines]
            keys_width = max(len(line.keys) for line in every) + 2
            text_width = max(len(line.description) for line in every) + 2
            id_width = max(len(line.id) for line in every)
            body.styles.width = keys_width + text_width + id_width + 5  # padding, border, scrollbar
            for heading, lines in self._groups:
                yield Static(Content.styled(heading, "bold $accent"), classes="help-heading")
                text = Content("\n").join(
                    Content.assemble(
                        (line.keys.ljust(keys_width), "bold"),
                        line.description.ljust(text_width),
                        (line.id, "$text-muted"),
                    )
                    for line in lines
                )
                yield Static(text, classes="help-section")
            yield Static(
                Content.styled(
                    "Rebind any key by its id (right column) in keymap.toml in the config folder "
                    '(see README); e.g.  toggle-done = "x"',
                    "$text-muted",
                ),
                classes="help-footnote",
            )
        yield KeyFooter()  # the help's own keys

    def action_scroll(self, direction: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        if direction == "down":
            body.scroll_down()
        else:
            body.scroll_up()

    def action_close(self) -> None:
        self.dismiss(None)
