"""``cycleboard serve``: the dashboard in a browser, one dashboard process per tab (textual-serve).

Every tab runs ``cycleboard`` on the same seeds and store as a terminal
would, so a mark made in a browser lands where one made in a terminal does,
and the store's locks keep them all.

What is added to textual-serve's server:

- **A token** (``--token`` or ``$CYCLEBOARD_TOKEN``), required to bind
  anything but a loopback address, checked before anything is served: in the
  URL's ``?token=`` once, then in an HTTP-only, same-site cookie the page's
  websocket carries.  Compared in constant time.
- **Only the board's own pages open its websocket**: a request whose
  ``Origin`` is another site is refused, so a web page the user visits cannot
  drive a board on localhost.
- **Stopping**: Ctrl+C or SIGTERM asks every tab's dashboard to quit (its
  marks written, as ``q`` does) and waits for it, then ends what is left.
  Dashboards run in their own session, so Ctrl+C reaches only the server,
  which then stops them in order.  A closed tab ends its dashboard.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import logging
import os
import shlex
import signal
import sys
from asyncio.subprocess import Process
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

TOKEN_VARIABLE = "CYCLEBOARD_TOKEN"  # noqa: S105 - the variable's name, not a secret
_COOKIE = "cycleboard_token"
_QUIT_WAIT_S = 5.0  # a dashboard asked to quit has this long to write its marks, then it is ended

log = logging.getLogger("cycleboard.serve")


class ServeRefused(Exception):
    """The board would not be served as asked (a public address without a token)."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may be reached from anywhere


def dashboard_command(seeds: Path, store: Path) -> str:
    """The shell command each tab runs: this cycleboard, on these folders."""
    return shlex.join([sys.executable, "-m", "tui", "--seeds", str(seeds), "--store", str(store)])


class _Dashboard(AppService):
    """One tab's dashboard process, in a session of its own, ended if it does not quit."""

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        self._process = process = await asyncio.create_subprocess_shell(
            self.command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width=width, height=height),
            start_new_session=True,  # Ctrl+C in the server's terminal is the server's to handle
        )
        assert process.stdin is not None  # noqa: S101 - asked for just above
        self._stdin = process.stdin
        return process

    async def stop(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(super().stop(), _QUIT_WAIT_S)
        process = self._process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, 15)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), _QUIT_WAIT_S)


class BoardServer(Server):
    def __init__(self, command: str, *, host: str, port: int, token: str | None, where: str) -> None:
        shown_host = f"[{host}]" if ":" in host else host
        super().__init__(
            command, host=host, port=port, title="cycleboard", public_url=f"http://{shown_host}:{port}"
        )
        self.token = token
        self.where = where  # the seeds and store, said at the start
        self.dashboards: set[_Dashboard] = set()
        self.sockets: set[web.WebSocketResponse] = set()

    def initialize_logging(self) -> None:
        logging.basicConfig(level=logging.INFO, format="cycleboard serve: %(message)s", stream=sys.stderr)
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._same_site_sockets)
        if self.token:
            app.middlewares.append(self._token_checked)
        return app

    def serve(self, debug: bool = False) -> None:
        """Serve until Ctrl+C or SIGTERM, saying the address once it takes connections.

        aiohttp runs the startup hooks before its socket is bound, and calls
        ``print`` after: said from a startup hook, the address would be refused
        to whoever (a script, a loaded machine's browser) used it at once.
        """
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self.request_exit)
        web.run_app(
            self._make_app(),
            host=self.host,
            port=self.port,
            handle_signals=False,
            loop=loop,
            print=self._say_where,
        )

    async def on_startup(self, app: web.Application) -> None:
        """Nothing yet: textual-serve's banner is replaced by ``_say_where``, once bound."""

    def _say_where(self, _aiohttp_says: str) -> None:
        url = self.public_url + (f"/?token={self.token}" if self.token else "/")
        print(f"cycleboard: serving the dashboard at {url}", flush=True)
        print(f"  {self.where}; each browser tab runs a dashboard of its own", flush=True)
        if self.token:
            print(
                "  anyone who can reach this address and has the token can change the plan; the "
                "connection is not encrypted: beyond a trusted network, put it behind a TLS proxy",
                flush=True,
            )
        else:
            print("  on this machine only (no token: a loopback address)", flush=True)
        print("  Ctrl+C stops it", flush=True)

    async def on_shutdown(self, app: web.Application) -> None:
        # Each tab's dashboard quits as q would (its marks written), then its socket closes.
        await asyncio.gather(*(dashboard.stop() for dashboard in list(self.dashboards)))
        await asyncio.gather(*(socket.close() for socket in list(self.sockets)), return_exceptions=True)

    # -- who may come in -----------------------------------------------------------
    @web.middleware
    async def _same_site_sockets(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if request.path == "/ws" and origin is not None and urlsplit(origin).netloc != request.host:
            raise web.HTTPForbidden(text="cycleboard: the board's socket opens from its own page only\n")
        return await handler(request)

    @web.middleware
    async def _token_checked(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        assert self.token is not None  # noqa: S101 - installed only with a token
        in_url = request.query.get("token")
        given = in_url or request.cookies.get(_COOKIE) or ""
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            raise web.HTTPUnauthorized(
                text="cycleboard: this board needs its token: open the address cycleboard serve printed\n"
            )
        response = await handler(request)
        if in_url and not response.prepared:
            response.set_cookie(_COOKIE, self.token, httponly=True, samesite="Strict")
        return response

    # -- a tab ---------------------------------------------------------------------
    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """A tab connected: start its dashboard and pass keys and screen between them until
        either side goes."""
        socket = web.WebSocketResponse(heartbeat=15)
        await socket.prepare(request)
        dashboard = _Dashboard(
            self.command,
            write_bytes=socket.send_bytes,
            write_str=socket.send_str,
            close=partial(_close, socket),
            download_manager=self.download_manager,
        )
        self.sockets.add(socket)
        self.dashboards.add(dashboard)
        try:
            await dashboard.start(_size(request, "width", 80), _size(request, "height", 24))
            await self._relay(socket, dashboard)
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("a tab's dashboard failed")
        finally:
            await dashboard.stop()
            self.dashboards.discard(dashboard)
            self.sockets.discard(socket)
            await socket.close()
        return socket

    async def _relay(self, socket: web.WebSocketResponse, dashboard: _Dashboard) -> None:
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                kind, data = message.json()
            except (ValueError, TypeError):
                continue  # not a message the page sends
            if kind == "stdin" and isinstance(data, str):
                await dashboard.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await dashboard.set_terminal_size(_int(data.get("width"), 80), _int(data.get("height"), 24))
            elif kind == "ping":
                await socket.send_json(["pong", data])
            elif kind == "blur":
                await dashboard.blur()
            elif kind == "focus":
                await dashboard.focus()


async def _close(socket: web.WebSocketResponse) -> None:
    await socket.close()


def _int(value: object, default: int) -> int:
    return max(1, min(value, 1000)) if isinstance(value, int) else default


def _size(request: web.Request, name: str, default: int) -> int:
    text = request.query.get(name, "")
    return _int(int(text), default) if text.isdigit() else default


def serve(seeds: Path, store: Path, *, host: str, port: int, token: str | None, where: str) -> None:
    """Serve the dashboard until Ctrl+C or SIGTERM. A public address needs a token."""
    if not token and not is_loopback(host):
        raise ServeRefused(
            f"serving on {host} needs a token: pass --token or set ${TOKEN_VARIABLE} (or serve on localhost)"
        )
    BoardServer(dashboard_command(seeds, store), host=host, port=port, token=token, where=where).serve()
