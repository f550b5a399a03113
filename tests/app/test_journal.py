"""The marks journal: sealed segments, their summary, and what a reader makes of them.

The oracle is a plain replay of every event in the order written, computed
here from the raw documents, never through the store's own summary.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import store.journal as journal
from store.marks import MarksStore
from store.model import State
from tests.conftest import REPO

KEYS = [f"stein/nova/bp-{n}" for n in range(5)]
STATES = [s.value for s in State]


def old_format_file(path: Path, count: int, keys: list[str], start: dt.datetime) -> list[dict]:
    """A marks.json as the single-file journal wrote it: one TinyDB table, ids 1..count."""
    docs = []
    for n in range(count):
        at = start + dt.timedelta(minutes=n)
        docs.append(
            {
                "key": keys[n % len(keys)],
                "state": STATES[n % len(STATES)],
                "previous": "approved",
                "seed_state": "approved",
                "at": at.isoformat(),
                "by": "someone@host",
                "via": "cli",
            }
        )
    path.write_text(json.dumps({"marks": {str(n + 1): doc for n, doc in enumerate(docs)}}))
    return docs


def replay(docs: list[dict]) -> dict[str, str]:
    newest: dict[str, str] = {}
    for doc in sorted(docs, key=lambda d: d["at"]):
        newest[doc["key"]] = doc["state"]
    return newest


@pytest.mark.slow
def test_a_journal_of_100000_events_from_the_single_file_format_is_read_whole(tmp_path):
    path = tmp_path / "marks.json"
    keys = [f"c/p/bp-{n}" for n in range(3_000)]
    docs = old_format_file(path, 100_000, keys, dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    store = MarksStore(path)
    assert len(store.events()) == 100_000
    assert {k: m.state.value for k, m in store.latest().items()} == replay(docs)
    # The first write seals the old file whole; nothing is lost, duplicated or reordered.
    store.record("c/p/bp-7", State.BLOCKED, State.APPROVED, State.APPROVED, "cli")
    assert journal.event_count(json.loads(path.read_text())) == 0  # the active file starts again
    again = MarksStore(path)
    events = again.events()
    assert len(events) == 100_001
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert [(e.key, e.state.value) for e in events[:-1]] == [(d["key"], d["state"]) for d in docs]
    assert again.latest()["c/p/bp-7"].state is State.BLOCKED
    assert [e.state.value for e in again.events_of("c/p/bp-8")] == [
        d["state"] for d in docs if d["key"] == "c/p/bp-8"
    ]


def test_a_mark_reads_only_the_active_file_however_long_the_journal(tmp_path, monkeypatch):
    monkeypatch.setattr(journal, "SEAL_AT", 50)
    store = MarksStore(tmp_path / "marks.json")
    for n in range(500):
        store.record(
            KEYS[n % 5], State.IMPLEMENTED if n % 2 else State.BLOCKED, State.APPROVED, State.APPROVED, "t"
        )
    segments = sorted(p.name for p in journal.segments_dir(store.path).glob("0*.json"))
    assert len(segments) == 10
    assert store.path.stat().st_size < 200  # everything was sealed; the active file is empty
    read = []
    original = journal.Segments.read
    monkeypatch.setattr(
        journal.Segments, "read", lambda self, name: read.append(name) or original(self, name)
    )
    store.record(KEYS[0], State.STARTED, State.APPROVED, State.APPROVED, "t")
    MarksStore(store.path).recorded()
    assert read == []  # neither the write nor a start reads a segment
    assert len(MarksStore(store.path).events()) == 501


@pytest.mark.parametrize("dies_after", ["segment", "summary"])
def test_a_writer_that_dies_while_sealing_loses_and_doubles_nothing(tmp_path, monkeypatch, dies_after):
    monkeypatch.setattr(journal, "SEAL_AT", 10)
    path = tmp_path / "marks.json"
    store = MarksStore(path)
    for n in range(9):
        store.record(KEYS[n % 5], State.IMPLEMENTED, State.APPROVED, State.APPROVED, "t")
    real_write = journal.atomic_write

    def dying_write(target, data):
        real_write(target, data)
        if (dies_after == "segment" and target.name.startswith("0")) or (
            dies_after == "summary" and target.name == journal.SUMMARY_NAME
        ):
            raise KeyboardInterrupt  # as if killed right after that file was in place

    monkeypatch.setattr(journal, "atomic_write", dying_write)
    with pytest.raises(KeyboardInterrupt):
        store.record(KEYS[0], State.BLOCKED, State.APPROVED, State.APPROVED, "t")
    monkeypatch.setattr(journal, "atomic_write", real_write)
    assert len(MarksStore(path).events()) == 10
    MarksStore(path).record(KEYS[1], State.STARTED, State.APPROVED, State.APPROVED, "t")
    events = MarksStore(path).events()
    assert len(events) == 11 and events[-1].state is State.STARTED
    assert MarksStore(path).latest()[KEYS[0]].state is State.BLOCKED


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(KEYS), st.sampled_from(list(State)), st.integers(0, 40)),
        min_size=1,
        max_size=60,
    ),
    st.integers(2, 12),
)
def test_the_summary_and_active_file_agree_with_a_plain_replay(tmp_path_factory, changes, seal_at):
    journal_was = journal.SEAL_AT
    journal.SEAL_AT = seal_at
    try:
        path = tmp_path_factory.mktemp("journal") / "marks.json"
        store = MarksStore(path)
        written = []
        at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        for key, state, hours_later in changes:  # several a day, or days apart
            at += dt.timedelta(hours=hours_later, seconds=1)
            mark = store.new(key, state, State.APPROVED, State.APPROVED, "t")
            mark = type(mark)(**{**mark.__dict__, "at": at})
            store.write(mark)
            written.append(mark)
        reader = MarksStore(path)
        assert reader.events() == written
        assert reader.latest() == {m.key: m for m in written}
        days: dict[str, dict[dt.date, State]] = {}
        for mark in written:
            days.setdefault(mark.key, {})[mark.at.date()] = mark.state
        assert {k: [(d.at.date(), d.state) for d in v] for k, v in reader.mark_days().items()} == {
            k: sorted(v.items()) for k, v in days.items()
        }
        for key in KEYS:
            assert reader.events_of(key) == [m for m in written if m.key == key]
    finally:
        journal.SEAL_AT = journal_was


@pytest.mark.parametrize("odd_id", ["abc", "2.5"])
def test_a_document_id_that_is_not_an_integer_does_not_stop_marks(tmp_path, cli, odd_id):
    from tests.conftest import BASE_SEED
    from tests.unit.test_store import BLUEPRINTS

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "base.toml").write_text(BASE_SEED)
    (seeds / "bps.toml").write_text(BLUEPRINTS)
    store = tmp_path / "store"
    store.mkdir()
    odd = {
        "key": "stein/nova/beta",
        "state": "blocked",
        "previous": "approved",
        "seed_state": "approved",
        "at": "2024-01-01T00:00:00+00:00",
        "by": "x",
        "via": "cli",
    }
    (store / "marks.json").write_text(json.dumps({"marks": {odd_id: odd}}))
    code, _out, err = cli("mark", "alpha", "done", "--seeds", str(seeds), "--store", str(store))
    assert code == 0, err
    events = MarksStore(store / "marks.json").events()
    assert [(e.key, e.state) for e in events] == [
        ("stein/nova/beta", State.BLOCKED),
        ("stein/nova/alpha", State.IMPLEMENTED),
    ]


MARKER = """
import sys
from pathlib import Path
from store.board import Board
from store.model import State
board = Board(Path(sys.argv[1]), Path(sys.argv[2])).refresh()
print("ready", flush=True)
sys.stdin.readline()
before, mark = board.mark("stein/nova/alpha", State(sys.argv[3]), via="cli")
print(before.value, "written" if mark else "already", flush=True)
"""


@pytest.mark.parametrize("into", ["seeds", "local"])
def test_marks_from_five_processes_at_once_decide_on_the_journal_as_it_is(tmp_path, into):
    from tests.conftest import BASE_SEED, not_ours
    from tests.unit.test_store import BLUEPRINTS

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "base.toml").write_text(BASE_SEED)
    (seeds / "bps.toml").write_text(BLUEPRINTS)
    if into == "local":  # the seeds cannot be written: decided on the journal alone
        not_ours(seeds / "base.toml")
        not_ours(seeds / "bps.toml")
    store = tmp_path / "store"
    wanted = ["deferred", "deferred", "blocked", "deferred", "implemented"]
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", MARKER, str(seeds), str(store), state],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        for state in wanted
    ]
    for writer in writers:  # every one has read the marks before any writes
        assert writer.stdout.readline().strip() == "ready"
    for writer in writers:
        writer.stdin.write("go\n")
        writer.stdin.flush()
    answers = [writer.communicate(timeout=60)[0].split() for writer in writers]
    events = MarksStore(store / "marks.json").events()
    # Replayed in the order written, each event's "previous" is the state just before it.
    state = "approved"
    for event in events:
        assert event.previous.value == state
        state = event.state.value
    # "already" only where the blueprint really was in that state when that process decided.
    assert sum(a[1] == "written" for a in answers) == len(events)
    for (before, outcome), target in zip(answers, wanted, strict=False):
        assert (outcome == "already") == (before == target)
    if into == "seeds":  # every change written is one history entry in the file, in the same order
        from store.seeds import parse_file

        (alpha,) = [
            r for r in parse_file(seeds / "bps.toml", "bps.toml").records if r.key == "stein/nova/alpha"
        ]
        assert [h.state for h in alpha.history][-len(events) :] == [e.state for e in events]
        assert alpha.state is events[-1].state and all(e.where == "bps.toml" for e in events)


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"summary": {"1": {"latest": 3}}}'])
def test_a_damaged_summary_is_made_again_from_the_segments(tmp_path, monkeypatch, damage):
    monkeypatch.setattr(journal, "SEAL_AT", 4)
    path = tmp_path / "marks.json"
    store = MarksStore(path)
    for n in range(10):
        store.record(
            KEYS[n % 3], State.IMPLEMENTED if n % 2 else State.BLOCKED, State.APPROVED, State.APPROVED, "t"
        )
    expected = MarksStore(path).events()
    (journal.segments_dir(path) / journal.SUMMARY_NAME).write_bytes(damage)
    again = MarksStore(path)
    assert again.events() == expected
    assert again.latest() == {m.key: m for m in expected}
    again.record(KEYS[4], State.STARTED, State.APPROVED, State.APPROVED, "t")
    assert MarksStore(path).events() == [*expected, MarksStore(path).events()[-1]]
    assert len(MarksStore(path).events()) == 11
    # The write under the lock kept the summary it made again: reads no longer rebuild it.
    monkeypatch.setattr(journal.Segments, "rebuild", lambda self: pytest.fail("rebuilt again"))
    assert len(MarksStore(path).events()) == 11


FUTURE_HISTORY = """
[[project]]
id = "nova"

[[cycle]]
id = "stein"
name = "Stein"

[defaults]
cycle = "stein"
project = "nova"

[[blueprint]]
id = "walrus-telemetry"
title = "Walrus telemetry"
state = "approved"

[[blueprint.history]]
date = 2999-01-01
state = "approved"
"""


def test_a_mark_that_would_not_take_effect_is_refused_and_not_stored(seeds, store_dir, cli):
    seeds.write("plan.toml", FUTURE_HISTORY)
    seeds.local_only()  # kept locally, a mark dated before the seed's history would never show
    code, out, err = cli(
        "mark", "walrus-telemetry", "done", "--seeds", str(seeds.path), "--store", str(store_dir)
    )
    assert code == 1 and "->" not in out
    assert "history entry dated 2999-01-01" in err and "change the seed file instead" in err
    assert MarksStore(store_dir / "marks.json").events() == []
    code, out, _ = cli("list", "--seeds", str(seeds.path), "--store", str(store_dir))
    assert out.startswith("approved")


def test_a_mark_on_a_seed_dated_later_is_written_into_it_and_takes_effect(seeds, store_dir, cli):
    # The case on a team plan: the state goes into the seed, so the mark is what `list` shows.
    plan = seeds.write("plan.toml", FUTURE_HISTORY)
    args = ("--seeds", str(seeds.path), "--store", str(store_dir))
    code, out, err = cli("mark", "walrus-telemetry", "done", *args)
    assert (code, err) == (
        0,
        "",
    ) and out.strip() == "stein/nova/walrus-telemetry: approved -> implemented (written to plan.toml)"
    assert 'state = "implemented"' in plan.read_text()
    code, out, _ = cli("list", *args)
    assert out.startswith("implemented")


@pytest.mark.anyio
async def test_space_on_a_blueprint_its_seed_dates_later_says_why_and_stores_nothing(seeds, store_dir):
    from tests.dashboard_helpers import build
    from tui.panes.blueprints import BlueprintsPane

    seeds.write("plan.toml", FUTURE_HISTORY)
    seeds.local_only()
    app = build(seeds.path, store_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(BlueprintsPane)
        pane.select_key("stein/nova/walrus-telemetry")
        await pilot.press("space")
        await pilot.pause()
        assert pane.current.state is State.APPROVED and app.board.unsaved == 0 and not app.undo_stack
        said = [str(n.message) for n in app._notifications if n.severity == "warning"]
        assert any("2999-01-01" in s for s in said), said
    assert MarksStore(store_dir / "marks.json").events() == []
