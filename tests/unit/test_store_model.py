"""A model of the store: hypothesis drives the real store and a plain dict side by side.

The seeds are another user's, so every mark is kept in the local marks store:
what is modelled is that store (marks written into the seeds are tested in
test_seed_write and test_write_back).  The rules are what people do: mark a
blueprint (as the dashboard does), press space (toggle done), undo the last
step, reload, quit and reopen, and have another writer (a second dashboard or
the command line) mark the same store meanwhile.  The model is a dict of each
blueprint's state plus the undo stack; after every step a fresh reader of the
store must agree with it, and so must the open board for every blueprint nobody
else touched since it last read.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from store.board import MARKS_FILE, Board
from store.marks import MarksStore
from store.model import State
from tests.conftest import not_ours

SEED_STATES = {
    "stein/nova/a": State.APPROVED,
    "stein/nova/b": State.IMPLEMENTED,
    "stein/nova/c": State.PROPOSED,
    "stein/cinder/d": State.BLOCKED,
    "stein/cinder/e": State.IMPLEMENTED,
}
KEYS = sorted(SEED_STATES)


def write_seeds(folder: Path) -> None:
    folder.mkdir()
    text = ['[[project]]\nid = "nova"\n[[project]]\nid = "cinder"\n[[cycle]]\nid = "stein"\nname = "Stein"\n']
    for key, state in SEED_STATES.items():
        cycle, project, ident = key.split("/")
        text.append(
            f'[[blueprint]]\nid = "{ident}"\ncycle = "{cycle}"\nproject = "{project}"\n'
            f'title = "{ident.upper()}"\nstate = "{state.value}"\n'
        )
    (folder / "plan.toml").write_text("\n".join(text))
    not_ours(folder / "plan.toml")  # the journal is modelled here: marks kept locally


class StoreModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="cycleboard-model-"))
        self.seeds, self.store = self.root / "seeds", self.root / "store"
        write_seeds(self.seeds)
        self.board = Board(self.seeds, self.store).refresh()  # "my" dashboard
        self.other = Board(self.seeds, self.store).refresh()  # someone else on the same store
        self.state = dict(SEED_STATES)  # the model: each blueprint's state
        self.last_mark: dict[str, tuple[State, State]] = {}  # key -> (state, previous) of its newest mark
        self.undo_stack: list[tuple[str, State]] = []
        self.events = 0
        self.stale: set[str] = set()  # keys written by the other since my board last read

    def teardown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _write(self, board: Board, key: str, state: State) -> None:
        previous = self.state[key]
        board.mark(key, state, via="model")
        self.state[key] = state
        self.last_mark[key] = (state, previous)
        self.events += 1

    # -- what people do -----------------------------------------------------------
    @rule(key=st.sampled_from(KEYS), state=st.sampled_from(list(State)))
    def mark(self, key: str, state: State) -> None:
        if key in self.stale:
            self.reload()  # the dashboard shows the other's mark before anyone acts on it
        if self.state[key] is state:
            return  # the dashboard writes nothing for "already that state"
        self.undo_stack.append((key, self.state[key]))
        self._write(self.board, key, state)

    @rule(key=st.sampled_from(KEYS))
    def toggle(self, key: str) -> None:
        if key in self.stale:
            self.reload()
        if self.state[key] is not State.IMPLEMENTED:
            wanted = State.IMPLEMENTED
        elif key in self.last_mark and self.last_mark[key][1] is not State.IMPLEMENTED:
            wanted = self.last_mark[key][1]  # back to what it was before it was marked done
        elif SEED_STATES[key] is not State.IMPLEMENTED:
            wanted = SEED_STATES[key]
        else:
            wanted = State.APPROVED  # done in the seeds, with no history to go back to
        assert self.board.toggled_state(key) is wanted
        self.undo_stack.append((key, self.state[key]))
        self._write(self.board, key, wanted)

    @precondition(lambda self: self.undo_stack)
    @rule()
    def undo(self) -> None:
        key, state = self.undo_stack.pop()
        if key in self.stale:
            self.reload()
        if self.state[key] is not state:
            self._write(self.board, key, state)

    @rule(key=st.sampled_from(KEYS), state=st.sampled_from(list(State)))
    def another_writer_marks(self, key: str, state: State) -> None:
        self.other.reload_marks()
        if self.state[key] is state:
            return
        self._write(self.other, key, state)
        self.stale.add(key)

    @rule()
    def reload(self) -> None:
        self.board.refresh()
        self.stale.clear()

    @rule()
    def reopen(self) -> None:
        self.board = Board(self.seeds, self.store).refresh()
        self.undo_stack.clear()  # undo belongs to one session of the dashboard
        self.stale.clear()

    # -- what must hold after every step --------------------------------------------
    @invariant()
    def a_fresh_reader_agrees(self) -> None:
        fresh = Board(self.seeds, self.store).refresh()
        assert {key: fresh.state_of(key) for key in KEYS} == self.state
        assert len(MarksStore(self.store / MARKS_FILE).events()) == self.events

    @invariant()
    def my_board_agrees_where_nobody_else_wrote(self) -> None:
        for key in KEYS:
            if key not in self.stale:
                assert self.board.state_of(key) is self.state[key], key


StoreModel.TestCase.settings = settings(max_examples=100, stateful_step_count=40, deadline=None)
test_the_store_behaves_like_its_model = pytest.mark.slow(StoreModel.TestCase)
