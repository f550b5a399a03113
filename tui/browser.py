"""Opening a link without taking over the terminal.

``webbrowser`` falls back to text browsers (lynx, w3m, links) when there is no
display; started from inside the dashboard they would fight it for the
terminal, so those count as "no browser" and the caller shows the URL instead.
"""

from __future__ import annotations

import subprocess
import webbrowser
from urllib.parse import urlsplit

_CONSOLE_BROWSERS = {"www-browser", "lynx", "w3m", "links", "elinks"}


def is_web_address(url: str) -> bool:
    """An http(s) URL: a seed's ``url`` is data, and anything else (a file, a script, or text a
    browser would read as an option) is never handed to a browser."""
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def open_in_browser(url: str) -> bool:
    if not is_web_address(url):
        return False
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    if getattr(browser, "name", "") in _CONSOLE_BROWSERS or type(browser) is webbrowser.GenericBrowser:
        return False
    if isinstance(browser, webbrowser.BackgroundBrowser):
        return _start(browser, url)
    try:
        return bool(browser.open(url, new=2))
    except Exception:  # noqa: BLE001 - a broken browser setup must not end the dashboard
        return False


def _start(browser: webbrowser.BackgroundBrowser, url: str) -> bool:
    """Start a browser command ($BROWSER, xdg-open) detached, its output kept off the dashboard.

    webbrowser's own answer is whether the command still runs a moment after it
    started, and a launcher that hands the page to a running browser and exits
    at once (as xdg-open does) would count as a failure.
    """
    command = [browser.name, *(arg.replace("%s", url) for arg in browser.args)]
    try:
        started = subprocess.Popen(  # noqa: S603 - the user's own browser command, with a checked URL
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        return False
    return started.poll() in (None, 0)
