"""Opening a link without taking over the terminal.

``webbrowser`` falls back to text browsers (lynx, w3m, links) when there is no
display; started from inside the dashboard they would fight it for the
terminal, so those count as "no browser" and the caller shows the URL instead.
"""

from __future__ import annotations

import webbrowser

_CONSOLE_BROWSERS = {"www-browser", "lynx", "w3m", "links", "elinks"}


def open_in_browser(url: str) -> bool:
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    if getattr(browser, "name", "") in _CONSOLE_BROWSERS or type(browser) is webbrowser.GenericBrowser:
        return False
    try:
        return bool(browser.open(url, new=2))
    except Exception:  # noqa: BLE001 - a broken browser setup must not end the dashboard
        return False
