"""Parsing the bytes of one seed file: decoding, TOML, then validation."""

from __future__ import annotations

import re

# tomli is the parser that became tomllib, built as a C extension: several times
# faster, which a cold start of a large plan feels (docs/performance.md).
import tomli

from store.seeds.parsed import ParsedFile, SeedError
from store.seeds.validate import Reader

_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def _decode_error(display: str, raw: bytes, exc: UnicodeDecodeError) -> SeedError:
    before = raw[: exc.start]
    line = before.count(b"\n") + 1
    col = exc.start - (before.rfind(b"\n") + 1) + 1
    return SeedError(
        display, line, col, f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
    )


def parse_text(display: str, raw: bytes) -> ParsedFile:
    """Parse and validate the bytes of one seed file named ``display``."""
    if b"\x00" in raw:
        at = raw.index(b"\x00")
        line = raw[:at].count(b"\n") + 1
        col = at - (raw.rfind(b"\n", 0, at) + 1) + 1
        return ParsedFile(
            display, errors=[SeedError(display, line, col, "binary data (a NUL byte), not a TOML text file")]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return ParsedFile(display, errors=[_decode_error(display, raw, exc)])
    text = text.removeprefix("\ufeff")
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_POSITION.search(message)
        if match:
            line, col = int(match[1]), int(match[2])
        else:  # "(at end of document)": point at the last character
            lines = text.rstrip("\n").split("\n")
            line, col = len(lines), len(lines[-1]) + 1
        message = _TOML_POSITION.sub("", message).replace("(at end of document)", "").strip().rstrip(".")
        if message.startswith("Cannot overwrite a value") or message.startswith("Cannot declare"):
            message += " (a key or table is defined twice)"
        return ParsedFile(display, errors=[SeedError(display, line, col, f"TOML syntax: {message}")])
    except RecursionError:
        return ParsedFile(display, errors=[SeedError(display, 0, 0, "TOML nested too deeply")])
    return Reader(display, text, data).read()
