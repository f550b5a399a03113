"""Property tests: any text survives the parser, and key positions are right."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest
import tomli
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import store.tomlpos as tomlpos
from store.seeds import clean_text, parse_text
from store.tomlpos import locate

# Markup-like brackets, escapes, controls, wide, combining and right-to-left text.
hostile = st.lists(
    st.one_of(
        st.sampled_from([*list("[]/\\\"'#=.{}"), "[bold]", "[/", "\x1b[31m", "\u200f", "́", "界", "😀"]),
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
    ),
    max_size=60,
).map("".join)


def toml_string(text: str) -> str:
    """A TOML basic string: json escapes C0 controls; TOML also wants DEL escaped."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


@settings(max_examples=300, deadline=None)
@given(title=hostile, owner=hostile, category=hostile)
def test_any_text_round_trips_minus_control_characters(title, owner, category):
    source = (
        '[[project]]\nid = "nova"\n[[cycle]]\nid = "c"\n'
        f'[[blueprint]]\nid = "b"\ncycle = "c"\nproject = "nova"\ntitle = {toml_string(title)}\n'
        f"owner = {toml_string(owner)}\ncategory = {toml_string(category)}\n"
    )
    parsed = parse_text("p.toml", source.encode())
    assert parsed.ok, [str(e) for e in parsed.errors]
    (blueprint,) = [r for r in parsed.records if getattr(r, "title", None) is not None]
    assert blueprint.title == clean_text(title)
    assert blueprint.owner == clean_text(owner)
    assert blueprint.category == clean_text(category)
    assert not any(ord(ch) < 32 and ch not in "\t\n" for ch in blueprint.title)


keys = st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True)
values = st.one_of(st.integers(), hostile.map(toml_string), st.lists(st.integers(), max_size=3).map(str))


@settings(max_examples=200, deadline=None)
@given(
    tables=st.lists(st.dictionaries(keys, values, min_size=1, max_size=4), min_size=1, max_size=4),
    indent=st.sampled_from(["", "  ", "\t"]),
    comment=st.booleans(),
)
def test_locate_finds_each_key_on_its_own_line(tables, indent, comment):
    lines: list[str] = []
    expected = {}
    for index, table in enumerate(tables):
        lines.append("[[item]]" + ("  # note [x]" if comment else ""))
        expected[("item", index)] = (len(lines), 1)
        for key, value in table.items():
            lines.append(f"{indent}{key} = {value}")
            expected[("item", index, key)] = (len(lines), len(indent) + 1)
    text = "\n".join(lines) + "\n"
    positions = locate(text)
    for path, position in expected.items():
        assert positions[path] == position


def assume_valid_toml(text: str) -> None:
    """Generated lines can make invalid TOML (a key twice); only valid text is located."""
    try:
        tomli.loads(text)
    except tomli.TOMLDecodeError:
        assume(False)


scalars = st.one_of(
    st.integers().map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["true", "false", "2019-04-10", "1979-05-27T07:32:00Z", "07:32:00", "-0.5e3"]),
    hostile.map(toml_string),
    st.sampled_from(["'literal [x] # y'", '"""multi\nline"""', '""']),
)
value_forms = st.one_of(
    scalars,
    st.lists(scalars, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
    st.lists(st.integers().map(str), max_size=3).map(
        lambda items: "[" + ",".join(items) + ",]" if items else "[]"
    ),
    st.lists(scalars, min_size=1, max_size=3).map(lambda items: "[\n  " + ",\n  ".join(items) + "\n]"),
    st.dictionaries(keys, scalars, max_size=2).map(
        lambda table: "{ " + ", ".join(f"{k} = {v}" for k, v in table.items()) + " }"
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    tables=st.lists(st.dictionaries(keys, value_forms, min_size=1, max_size=5), min_size=1, max_size=3),
    comment=st.sampled_from(["", "  # note [x] = 1", "\t#"]),
    quoted=st.booleans(),
)
def test_the_fast_line_path_finds_what_the_scanner_finds(tables, comment, quoted):
    """Whole lines matched at once must give the positions the character scanner gives."""
    lines = []
    for number, table in enumerate(tables):
        lines.append(["[[item]]", "[[ item ]]", f"[section{number}]", '[["quoted"]]'][number % 4])
        for key, value in table.items():
            shown = f'"{key}"' if quoted and key.startswith("a") else key
            lines.append(f"{shown} = {value}{comment}")
    text = "\n".join(lines) + "\n"
    assume_valid_toml(text)
    fast = tomlpos.locate(text)
    never = re.compile(r"(?!)")
    original = tomlpos._FAST_LINE, tomlpos._FAST_HEADER
    tomlpos._FAST_LINE = tomlpos._FAST_HEADER = never  # the scanner alone
    try:
        slow = tomlpos.locate(text)
    finally:
        tomlpos._FAST_LINE, tomlpos._FAST_HEADER = original
    assert fast == slow


tricky_values = st.one_of(
    value_forms,
    # Text that looks like the headers and keys being passed over, inside values.
    st.sampled_from(
        [
            '"""\n[[blueprint]]\nid = "x"\n"""',
            "'''\n[[blueprint]]\n'''",
            "[\n  [1, 2],\n  [3],\n]",
            '"[[blueprint]]"',
            '["[[blueprint]]", "a"]',
        ]
    ),
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(
    tables=st.lists(
        st.tuples(
            st.sampled_from(["blueprint", "blueprint", "theme", "defaults"]),
            st.dictionaries(keys, tricky_values, max_size=4),
        ),
        min_size=1,
        max_size=5,
    ),
    comment=st.sampled_from(["", "  # [[blueprint]]", "\r"]),
    spaced=st.booleans(),
)
def test_passing_over_plain_tables_keeps_every_position_that_is_asked_for(tables, comment, spaced):
    """Skipping [[blueprint]] key lines must leave every header (and every other
    table's keys) exactly where the full scan puts them, and invent nothing."""
    lines = []
    for name, table in tables:
        header = f"[[ {name} ]]" if spaced else f"[[{name}]]"
        lines.append(("[defaults]" if name == "defaults" else header) + comment)
        lines.extend(f"{key} = {value}" for key, value in table.items())
    text = "\n".join(lines) + "\n"
    assume_valid_toml(text)
    full = tomlpos.locate(text)
    partial = tomlpos.locate(text, frozenset({"blueprint"}))
    assert all(full[path] == position for path, position in partial.items())
    wanted = {path for path in full if path[0] != "blueprint" or len(path) <= 2}
    assert wanted <= set(partial)


def test_a_file_parses_the_same_whether_or_not_blueprint_keys_are_located(monkeypatch, tmp_path):
    """Header-only locating is an optimisation: records, positions, references and
    errors must be exactly what locating every key gives."""
    from pathlib import Path

    import tomli

    import store.seeds as seeds
    import store.seeds.validate as validate
    from tests.bench.generate import generate
    from tests.conftest import SHIPPED

    generate(tmp_path, blueprints=600, cycles=3, projects=4)
    corpus = Path(__file__).parent.parent / "bad_seeds"
    paths = [
        *sorted(SHIPPED.rglob("*.toml")),
        *sorted(corpus.rglob("*.toml")),
        *sorted(tmp_path.rglob("*.toml")),
    ]
    files = [(path.name, path.read_bytes()) for path in paths]
    for rel, raw in [
        (rel, raw.replace(b'state = "approved"', b'state = "aproved"', 1)) for rel, raw in files
    ]:
        files.append((f"typo-{rel}", raw))  # an error deep in a blueprint's keys
    skipping = [seeds.parse_text(rel, raw) for rel, raw in files]
    assert (
        sum(
            bool(validate._unreferenced_tables(tomli.loads(raw.decode())))
            for _, raw in files
            if seeds.parse_text("x", raw).ok
        )
        > 10
    )  # the generated plan's files do skip
    monkeypatch.setattr(validate, "_unreferenced_tables", lambda data: frozenset())
    assert skipping == [seeds.parse_text(rel, raw) for rel, raw in files]


# The oracle is Unicode's own: every character of category Cc (C0, DEL, C1)
# but tab and newline, and the nine bidi embeddings, overrides and isolates.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _shown(text: str) -> str:
    return "".join(
        ch for ch in text if ch in "\t\n" or (unicodedata.category(ch) != "Cc" and ch not in _BIDI_CONTROLS)
    )


def test_clean_text_drops_exactly_the_controls_of_every_character_in_the_basic_plane():
    plane = [chr(code) for code in range(0x10000) if not 0xD800 <= code < 0xE000]
    assert [ch for ch in plane if clean_text(ch) != _shown(ch)] == []
    assert clean_text("".join(plane)) == _shown("".join(plane))


@settings(max_examples=300, deadline=None)
@given(text=hostile)
def test_clean_text_drops_exactly_the_control_characters(text):
    """clean_text skips the translation for printable text; that must never keep a control."""
    assert clean_text(text) == _shown(text)
    assert clean_text(text + "\u202e" + text) == _shown(text) * 2
