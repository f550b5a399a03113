"""The surgical seed editor: only the changed blueprint's lines change, and only as they must.

The oracle is the project's own parser run on the file before and after (the
parser is tested on its own elsewhere), and a byte comparison of the text
outside the blueprint's lines.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.model import Blueprint, HistoryEntry, State
from store.seed_edit import EditRefused, _lines, blueprint_range, set_blueprint_state
from store.seeds import parse_text

DAY = dt.date(2026, 12, 4)
STATES = [s.value for s in State]

comment = st.sampled_from(["", "# a note\n", "\n", "# [[blueprint]] in a comment\n\n", "   # indented\n"])
title = st.sampled_from(
    [
        '"Plain title"',
        "'Literal [with] brackets'",
        '"Quoted \\"inner\\" words"',
        '"Ünïcode — dash"',
        '"state = \\"approved\\" in a title"',
        "'''multi\nline'''",
    ]
)


@st.composite
def state_line(draw) -> str:
    value = draw(st.sampled_from(STATES))
    form = draw(
        st.sampled_from(['state = "{}"\n', "state = '{}'\n", 'state="{}"   # why\n', '"state" = "{}"\n'])
    )
    return form.format(value)


@st.composite
def history_entry(draw, year: int) -> str:
    state = draw(st.sampled_from(STATES))
    note = draw(comment)
    by = draw(st.sampled_from(["", 'by = "melwitt"\n']))
    day = f"{year}-0{draw(st.integers(1, 9))}-1{draw(st.integers(0, 9))}"
    return f'\n[[blueprint.history]]\n{note}date = {day}\nstate = "{state}"\n{by}'


@st.composite
def blueprint_table(draw, number: int) -> str:
    parts = [
        f"[[blueprint]]{draw(st.sampled_from(['', '  # heading']))}\n",
        draw(comment),
        f'id = "bp-{number}"\n',
        f"title = {draw(title)}\n",
    ]
    if draw(st.booleans()):
        parts.insert(draw(st.integers(2, len(parts))), draw(state_line()))
    if draw(st.booleans()):
        parts.append("reviews = [\n  123456,  # first\n  654321,\n]\n")
    parts.append(draw(comment))
    for year in range(draw(st.integers(0, 2))):
        parts.append(draw(history_entry(2018 + year)))
    parts.append(draw(comment))
    return "".join(parts)


@st.composite
def seed_file(draw) -> tuple[str, int]:
    count = draw(st.integers(1, 4))
    parts = [draw(comment), '[defaults]\ncycle = "stein"\nproject = "nova"\n\n']
    for number in range(count):
        parts.append(draw(blueprint_table(number)))
        if draw(st.booleans()):  # another array of tables interrupts the blueprints
            parts.append(f'\n[[theme]]\nid = "t{number}"\ntitle = "Theme {number}"\n\n')
        else:
            parts.append(draw(st.sampled_from(["\n", "", "\n\n# between\n\n"])))
    text = "".join(parts)
    if draw(st.booleans()):
        text = text.rstrip("\n")  # no line break at the end
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return text, draw(st.integers(0, count - 1))


def blueprints_of(text: str) -> dict[str, Blueprint]:
    parsed = parse_text("edit.toml", text.encode())
    assert parsed.ok, parsed.errors
    return {r.key: r for r in parsed.records if isinstance(r, Blueprint)}


@settings(max_examples=300, deadline=None)
@given(seed_file(), st.sampled_from(STATES), st.sampled_from(["melwitt", 'O\'Brien "the" reviewer', "名前"]))
def test_an_edit_changes_that_blueprint_and_nothing_else(case, state, by):
    text, index = case
    before = blueprints_of(text)
    edited = set_blueprint_state(text, index, state, DAY, by)
    after = blueprints_of(edited)
    key = f"stein/nova/bp-{index}"
    # The parses differ only in that blueprint: its state, and one entry more in its history.
    assert {k: v for k, v in after.items() if k != key} == {k: v for k, v in before.items() if k != key}
    old = before[key]
    expected_history = tuple(
        sorted((*old.history, HistoryEntry(DAY, State(state), by)), key=lambda h: h.date)
    )
    assert after[key] == dataclasses.replace(old, state=State(state), history=expected_history)
    # The text differs only within the blueprint's own lines.
    start, end = blueprint_range(text, index)
    old_lines, new_lines = _lines(text), _lines(edited)
    assert new_lines[:start] == old_lines[:start]
    tail = len(old_lines) - end
    assert tail == 0 or new_lines[-tail:] == old_lines[-tail:]
    # Within them, only the state's value changes, and the entry (and the lines around it) is added.
    nl = "\r\n" if "\r\n" in text else "\n"
    allowed = {
        f"[[blueprint.history]]{nl}",
        f"date = {DAY.isoformat()}{nl}",
        f'state = "{state}"{nl}',
        f"by = {json.dumps(by, ensure_ascii=False)}{nl}",
        nl,
    }
    changed = difflib.SequenceMatcher(
        a=old_lines[start:end], b=new_lines[start : len(new_lines) - tail], autojunk=False
    ).get_opcodes()
    blanks_added = 0
    for tag, i1, i2, j1, j2 in changed:
        if tag == "equal":
            continue
        removed, added = old_lines[start + i1 : start + i2], new_lines[start + j1 : start + j2]
        for line in removed:
            if line.endswith("\n"):  # else: the file's last line, which gains its line break
                assert "state" in line and line.split("=")[0].strip() in ("state", '"state"'), line
                quote = line.split("=", 1)[1].strip()[0]
                added.remove(line.replace(f"{quote}{old.state.value}{quote}", f"{quote}{state}{quote}", 1))
            else:
                added.remove(line + nl)
        assert set(added) <= allowed, added
        blanks_added += added.count(nl)
    assert blanks_added <= 1  # at most one, before the entry
    # Line endings stay the file's own.
    if "\r\n" in text:
        assert edited.count("\n") == edited.count("\r\n")
    else:
        assert "\r" not in edited


def test_a_mark_reads_as_a_reviewer_expects():
    text = (
        '[defaults]\ncycle = "stein"\nproject = "nova"\n\n[[blueprint]]\nid = "a"\ntitle = "A"\n'
        'state = "approved"  # agreed at the PTG\n\n[[blueprint]]\nid = "b"\ntitle = "B"\n'
    )
    edited = set_blueprint_state(text, 0, "implemented", DAY, "melwitt")
    assert edited == (
        '[defaults]\ncycle = "stein"\nproject = "nova"\n\n[[blueprint]]\nid = "a"\ntitle = "A"\n'
        'state = "implemented"  # agreed at the PTG\n\n[[blueprint.history]]\ndate = 2026-12-04\n'
        'state = "implemented"\nby = "melwitt"\n\n[[blueprint]]\nid = "b"\ntitle = "B"\n'
    )


@pytest.mark.parametrize(
    "text, reason",
    [
        (
            '[[blueprint]]\nid = "a"\ntitle = "A"\nhistory = [{date = 2018-01-01, state = "approved"}]\n',
            "inline",
        ),
        ('[[blueprint]]\nid = "a"\ntitle = "A"\nstate = """approved"""\n', "does not edit"),
        ('blueprint = [{id = "a", title = "A"}]\n', r"not written as a \[\[blueprint\]\] table"),
    ],
)
def test_what_it_cannot_edit_safely_it_refuses_with_a_reason(text, reason):
    with pytest.raises(EditRefused, match=reason):
        set_blueprint_state(text, 0, "implemented", DAY, "x")


def test_a_history_entry_may_say_who_set_it_and_it_must_be_text():
    base = (
        '[defaults]\ncycle = "stein"\nproject = "nova"\n\n[[blueprint]]\nid = "a"\ntitle = "A"\n\n'
        '[[blueprint.history]]\ndate = 2019-01-02\nstate = "approved"\n'
    )
    assert blueprints_of(base + 'by = "melwitt"\n')["stein/nova/a"].history == (
        HistoryEntry(dt.date(2019, 1, 2), State.APPROVED, "melwitt"),
    )
    wrong = parse_text("edit.toml", (base + "by = 3\n").encode())
    assert not wrong.ok and any("by" in e.message and e.line == 12 for e in wrong.errors), wrong.errors
