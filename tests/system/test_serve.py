"""``cycleboard serve`` for real: its token, its stopping, and a real browser (headless Chromium).

Without Chromium the browser test is skipped, saying why; under ``.ci/run``, which
installs Chromium when it is missing (and sets CYCLEBOARD_NEEDS_BROWSER), its
absence is a failure.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import REPO, run_subprocess
from tests.dashboard_helpers import write_two_projects

TOKEN = "a-token-for-the-test"  # noqa: S105 - the test's own


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    """``cycleboard serve`` running in a process of its own, as a user starts it."""

    def __init__(self, seeds: Path, store: Path, *options: str) -> None:
        self.port = _free_port()
        self.store = store
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "tui", "serve", "--seeds", str(seeds), "--store", str(store)),
                *("--host", "127.0.0.1", "--port", str(self.port), *options),
            ],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.said = self.process.stdout.readline()  # the first line comes once it listens
        assert "serving the dashboard at" in self.said, self.process.stderr and self.process.stderr.read()
        self.base = f"http://127.0.0.1:{self.port}"

    def dashboards(self) -> int:
        """How many dashboard processes run on this store (one per open tab)."""
        command = f"^{re.escape(sys.executable)} -m tui --seeds .* --store {re.escape(str(self.store))}$"
        found = subprocess.run(["pgrep", "-f", "--", command], capture_output=True)
        return len(found.stdout.split())

    def wait_until(self, predicate, what: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(0.1)

    def stop(self, signum: int) -> int:
        """Send ``signum``; the server must be gone within 10 s, its dashboards ended."""
        self.process.send_signal(signum)
        return self.process.wait(timeout=10)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def two_plan(seeds):
    write_two_projects(seeds)
    return seeds


def states(seeds: Path, store: Path) -> dict[str, str]:
    listed = run_subprocess("list", "--seeds", str(seeds), "--store", str(store), "--format", "json")
    return {row["key"]: row["state"] for row in json.loads(listed.stdout)}


def test_a_public_address_needs_a_token_and_says_so_in_one_line(two_plan, store_dir):
    refused = run_subprocess(
        "serve",
        "--seeds",
        str(two_plan.path),
        "--store",
        str(store_dir),
        "--host",
        "0.0.0.0",  # noqa: S104
    )
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "needs a token" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_the_token_and_the_origin_are_checked_and_ctrl_c_ends_every_dashboard(two_plan, store_dir):
    served = Served(two_plan.path, store_dir, "--token", TOKEN)
    try:
        assert f"/?token={TOKEN}" in served.said

        async def visit() -> None:
            # As a browser does, the client keeps a cookie an IP address set.
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
                for asked in ("/", "/?token=wrong", "/static/js/textual.js", "/ws"):
                    async with client.get(served.base + asked) as answer:
                        assert answer.status == 401, asked
                async with client.get(f"{served.base}/?token={TOKEN}") as answer:
                    assert answer.status == 200 and "cycleboard" in await answer.text()
                # The cookie set then lets the page's own requests in.
                async with client.get(served.base + "/static/js/textual.js") as answer:
                    assert answer.status == 200
                # Another site's page may not open the board's socket, token or not.
                async with client.get(
                    served.base + "/ws", headers={"Origin": "http://elsewhere.example"}
                ) as answer:
                    assert answer.status == 403
                # Its own page may: a dashboard starts for it.
                async with client.ws_connect(
                    served.base + "/ws?width=100&height=30", headers={"Origin": served.base}
                ) as tab:
                    await tab.send_json(["ping", "1"])
                    served.wait_until(lambda: served.dashboards() == 1, "the tab's dashboard")
                    # Ctrl+C: the server asks the dashboard to quit, waits for it, and ends.
                    assert served.stop(signal.SIGINT) == 0
                    assert served.dashboards() == 0

        asyncio.run(visit())
    finally:
        served.close()


# ``cycleboard serve`` with its socket bound a second late, as on a loaded machine.
_LATE_BIND = """
import asyncio, sys
from aiohttp import web
from tui.cli import main

bind = web.TCPSite.start

async def late(site):
    await asyncio.sleep(1.0)
    await bind(site)

web.TCPSite.start = late
sys.exit(main(sys.argv[1:]))
"""


def test_the_address_is_said_only_once_it_takes_connections(two_plan, store_dir):
    port = _free_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "-c", _LATE_BIND, "serve", "--seeds", str(two_plan.path)),
            *("--store", str(store_dir), "--host", "127.0.0.1", "--port", str(port)),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        said = process.stdout.readline()
        assert f"serving the dashboard at http://127.0.0.1:{port}/" in said, said
        # One try, at once, as a script that waits for the line does.
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_port_in_use_is_one_line_on_stderr_and_no_address_is_said(two_plan, store_dir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        refused = run_subprocess(
            *("serve", "--seeds", str(two_plan.path), "--store", str(store_dir)),
            *("--host", "127.0.0.1", "--port", str(port)),
        )
    assert refused.returncode == 1
    assert refused.stdout == ""
    assert refused.stderr.count("\n") == 1 and f"cannot serve on 127.0.0.1:{port}" in refused.stderr


# Read when the tests are collected: each test's environment leaves out CYCLEBOARD_ variables.
_NEEDS_BROWSER = bool(os.environ.get("CYCLEBOARD_NEEDS_BROWSER"))


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_a_browser = pytest.mark.skipif(
    CHROMIUM is None and not _NEEDS_BROWSER,
    reason="Chromium is not installed (apt-get install chromium): the browser test needs it",
)


def _browser():
    if CHROMIUM is None:  # under .ci/run, which installs it: not skipped
        pytest.fail("Chromium is missing, and .ci/run needs the browser test to run")
    from playwright.sync_api import sync_playwright

    return CHROMIUM, sync_playwright


# Textual's dark theme, as the dashboard draws it: the focused pane's border and title (accent),
# and the implemented bars and marks (success).
_COLOURS = {"accent": (0xFF, 0xA6, 0x2B), "success": (0x4E, 0xBF, 0x71)}


def _colour_shares(page, png: bytes) -> dict[str, float]:
    """The share of the screenshot's pixels near each of the theme's colours above."""
    return page.evaluate(
        """async ([data, colours]) => {
            const image = new Image();
            image.src = "data:image/png;base64," + data;
            await image.decode();
            const canvas = document.createElement("canvas");
            canvas.width = image.width; canvas.height = image.height;
            const context = canvas.getContext("2d");
            context.drawImage(image, 0, 0);
            const pixels = context.getImageData(0, 0, image.width, image.height).data;
            const near = (i, c) => Math.abs(pixels[i] - c[0]) + Math.abs(pixels[i + 1] - c[1])
                + Math.abs(pixels[i + 2] - c[2]) < 40;
            const shares = {};
            for (const [name, colour] of Object.entries(colours)) {
                let count = 0;
                for (let i = 0; i < pixels.length; i += 4) if (near(i, colour)) count++;
                shares[name] = count / (pixels.length / 4);
            }
            return shares;
        }""",
        [base64.b64encode(png).decode("ascii"), _COLOURS],
    )


def _wait_for_text(page, text: str, what: str, timeout: float = 20.0) -> str:
    """What the (DOM-drawn) terminal shows, once it shows ``text``."""
    deadline = time.monotonic() + timeout
    while True:
        rows = page.query_selector(".xterm-rows")
        shown = rows.inner_text().replace("\xa0", " ") if rows else ""
        if text in shown:
            return shown
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; the tab shows:\n{shown}")
        time.sleep(0.2)


@pytest.mark.slow
@needs_a_browser
def test_two_browser_tabs_and_a_terminal_mark_at_once_and_every_mark_is_kept(two_plan, store_dir, tmp_path):
    chromium, sync_playwright = _browser()
    served = Served(two_plan.path, store_dir, "--token", TOKEN)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            tabs = []
            for reader in (False, True):  # two people: each with a browser of their own
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                if reader:
                    # The second draws its terminal as text (xterm.js's DOM renderer, which it
                    # falls back to without a canvas), so the test can read what it shows.
                    context.add_init_script("HTMLCanvasElement.prototype.getContext = () => null;")
                page = context.new_page()
                page.goto(f"{served.base}/?token={TOKEN}")
                page.wait_for_selector("body.-first-byte", timeout=30_000)  # the dashboard's first bytes
                tabs.append(page)
            served.wait_until(lambda: served.dashboards() == 2, "a dashboard per tab")
            time.sleep(1.5)  # the first paint
            for page, word in zip(tabs, ("gamma", "alpha"), strict=True):
                page.mouse.click(5, 5)  # the cycle bar: the page takes the keys
                page.keyboard.type(f"/{word}")
                page.keyboard.press("Enter")
            # Marks from both tabs and from a terminal, at once.
            marking = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tui",
                    "mark",
                    "--seeds",
                    str(two_plan.path),
                    "--store",
                    str(store_dir),
                    "stein/nova/beta",
                    "blocked",
                ],
                cwd=REPO,
            )
            for page in tabs:
                page.keyboard.press(" ")
            assert marking.wait(timeout=60) == 0
            expected = {"stein/cinder/gamma": "implemented", "stein/nova/alpha": "implemented"}
            expected["stein/nova/beta"] = "blocked"
            served.wait_until(
                lambda: (
                    {k: v for k, v in states(two_plan.path, store_dir).items() if k in expected} == expected
                ),
                "every mark in the store",
                timeout=30,
            )
            stein = (two_plan.path / "stein.toml").read_text()
            assert stein.count('state = "implemented"') >= 4  # two blueprints, each with a history entry
            assert 'state = "blocked"' in stein

            # The second tab is a whole dashboard: its filter, its mark, a live edit, a planning view.
            reader = tabs[1]
            shown = _wait_for_text(reader, "Blueprints (1) · nova", "the filtered pane")
            assert "filter: alpha" in shown and "● implemented" in shown
            (two_plan.path / "stein.toml").write_text(
                stein.replace('"Alpha feature"', '"Alpha, edited live"')
            )
            _wait_for_text(reader, "Alpha, edited live", "the live reload")
            reader.keyboard.press("2")
            _wait_for_text(reader, "Timeline  ·  Stein", "the timeline")

            shot = tabs[0].screenshot(path=str(tmp_path / "board.png"))  # kept with the test's files
            shares = _colour_shares(tabs[0], shot)
            # Loosely: the dashboard is drawn in its colours (the focused pane's border and title,
            # the state bars), and the page is not textual-serve's "Session ended".
            assert shares["accent"] > 0.002 and shares["success"] > 0.0005, shares
            assert tabs[0].query_selector("body.-closed") is None

            tabs[1].context.close()  # a closed tab ends its dashboard
            served.wait_until(lambda: served.dashboards() == 1, "the closed tab's dashboard to end")
            browser.close()
        assert served.stop(signal.SIGTERM) == 0
        assert served.dashboards() == 0
    finally:
        served.close()
