"""The footer of keys, rebuilt only when the keys it would show change."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

KeysShown = tuple[tuple[object, ...], ...]


class KeyFooter(Footer):
    """Textual's footer, minus the rebuilds that change nothing.

    Textual's footer removes and mounts every key again each time a screen's
    bindings may have changed: each focus move, each pane switch, each pop-up
    closing. Mounting a key applies the stylesheet to it, a large part of what
    such a keystroke costs (docs/performance.md); most of those moves leave the
    same keys with the same labels, and skip the rebuild here.
    """

    _composed: KeysShown | None = None

    def _keys_shown(self, screen: Screen) -> KeysShown:
        """All the footer draws for ``screen``: each shown key (the palette's too), its label,
        group and tooltip, whether it is enabled."""
        palette = self.app.COMMAND_PALETTE_BINDING
        return tuple(
            (
                key,
                self.app.get_key_display(binding),
                binding.action,
                binding.description,
                binding.group,
                binding.tooltip,
                enabled,
                tooltip,
            )
            for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
            if binding.show or key == palette
        )

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._composed = self._keys_shown(self.screen)
        return super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        if (
            self._composed is not None
            and self.is_attached
            and screen is self.screen
            and self._keys_shown(screen) == self._composed
        ):
            return
        super().bindings_changed(screen)
