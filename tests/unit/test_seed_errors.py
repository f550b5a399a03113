"""Each kind of seed error names FILE:LINE:COL, the key and what was expected."""

from __future__ import annotations

import pytest

from store.model import State
from store.plan import assemble, seed_files
from store.seeds import clean_text, parse_file, parse_text
from tests.conftest import BASE_SEED


def check(folder):
    files = seed_files(folder)
    return assemble(parse_file(p, p.relative_to(folder).as_posix()) for p in files)


def only_error(plan):
    problems = plan.problems
    assert len(problems) == 1, [str(e) for e in plan.errors]
    return problems[0]


@pytest.mark.parametrize(
    ("body", "line", "col", "fragments"),
    [
        pytest.param(
            '[[blueprint]]\nid = "a"\ntitle = "A"\ncolour = "red"\n',
            4,
            1,
            ["unknown key 'colour'", "expected one of: id,"],
            id="unknown-key",
        ),
        pytest.param(
            '[[blueprint]]\nid = "a"\ntitle = "A"\nstat = "approved"\n',
            4,
            1,
            ["unknown key 'stat'", "did you mean 'state'?"],
            id="unknown-key-with-hint",
        ),
        pytest.param(
            '[[blueprint]]\nid = "a"\ntitle = 7\n',
            3,
            1,
            ["'title' must be a string, not a whole number"],
            id="wrong-type",
        ),
        pytest.param(
            '[[blueprint]]\nid = "a"\ntitle = "A"\nreviews = [1, "2"]\n',
            4,
            15,
            ["'reviews' item 2 must be a whole number, not a string"],
            id="wrong-item-type",
        ),
        pytest.param(
            '[[blueprint]]\nid = "a"\ntitle = "A"\nfast_tracked = "yes"\n',
            4,
            1,
            ["'fast_tracked' must be true or false"],
            id="wrong-bool",
        ),
        pytest.param(
            '[[blueprint]]\nid = "a"\ntitle = "A"\nstate = "aproved"\n',
            4,
            1,
            ["unknown state 'aproved'", "proposed, approved"],
            id="unknown-state",
        ),
        pytest.param(
            '[[theme]]\nid = "t"\ntitle = "T"\nkind = "epic"\n',
            4,
            1,
            ["unknown kind 'epic'", "theme, priority, goal"],
            id="unknown-theme-kind",
        ),
        pytest.param(
            '[[cycle.milestone]]\nname = "x"\ndate = 2018-09-10\nkind = "party"\n',
            1,
            1,
            ["cycle"],
            id="milestone-without-cycle",
        ),
        pytest.param(
            '[[blueprint]]\nid = "a"\ntitle = "A"\n\n[[blueprint]]\nid = "a"\ntitle = "B"\n',
            5,
            1,
            ["duplicate key 'stein/nova/a'", "first defined at line 5"],
            id="duplicate-in-file",
        ),
        pytest.param(
            '[[theme]]\nid = "t"\ntitle = "T"\nblueprints = ["nope"]\n',
            4,
            15,
            ["unknown blueprint 'nope'"],
            id="dangling-blueprint",
        ),
        pytest.param(
            '[[session]]\nid = "s"\ntitle = "S"\nprojects = ["nova", "glance"]\n',
            4,
            21,
            ["unknown project 'glance'", "known: cinder, nova"],
            id="dangling-project",
        ),
        pytest.param(
            '[[blueprint]]\nid = "a"\ntitle = "A"\n\n'
            '[[blueprint.history]]\ndate = "2018-10-01"\nstate = "approved"\n',
            6,
            1,
            ["'date' must be a date, not a string", "without quotes"],
            id="date-as-string",
        ),
        pytest.param(
            '[[blueprint]]\nid = "a"\ntitle = "A"\n\n'
            '[[blueprint.history]]\ndate = 2018-02-30\nstate = "approved"\n',
            6,
            8,
            ["TOML syntax", "Invalid date"],
            id="impossible-date",
        ),
        pytest.param(
            '[[blueprint]]\nid = "a/b"\ntitle = "A"\n',
            2,
            1,
            ["id 'a/b' must start with a letter or digit"],
            id="bad-id",
        ),
        pytest.param(
            '[[blueprint]\nid = "a"\n',
            1,
            12,
            ["TOML syntax"],
            id="toml-syntax",
        ),
        pytest.param(
            '[[blueprint]]\nid = "a"\n',
            1,
            1,
            ["missing key 'title'"],
            id="missing-required",
        ),
        pytest.param(
            '[[blueprint]]\nid = "a"\ntitle = "A"\n\n'
            '[[history]]\nblueprint = "nova/zz"\ndate = 2018-10-01\nstate = "implemented"\n',
            6,
            1,
            ["[[history]]: blueprint refers to unknown blueprint 'nova/zz'", "in cycle 'stein'"],
            id="history-of-unknown-blueprint",
        ),
        pytest.param(
            '[[history]]\nblueprint = "a"\ndate = 2018-10-01\n',
            1,
            1,
            ["history of 'a': missing key 'state'"],
            id="history-without-state",
        ),
        pytest.param(
            '[[blueprint]]\nid = "a"\ntitle = "A"\nreviews = [1, { number = 2, state = 3 }]\n',
            4,
            15,
            ["'reviews' item 2 must be {number = 132614, state = \"open\"}"],
            id="review-with-a-bad-state",
        ),
        pytest.param(
            '[[cycle]]\nid = "t"\n\n[[cycle.note]]\ndate = 2018-10-01\n',
            4,
            1,
            ["cycle 't' note #1: missing key 'text'"],
            id="cycle-note-without-text",
        ),
        pytest.param(
            '[[sessions]]\nid = "a"\n',
            1,
            1,
            ["unknown table 'sessions'", "did you mean 'session'?"],
            id="unknown-table",
        ),
    ],
)
def test_each_error_names_file_line_column_and_expectation(seeds, body, line, col, fragments):
    seeds.write("base.toml", BASE_SEED)
    seeds.write("bad.toml", '[defaults]\ncycle = "stein"\nproject = "nova"\n\n' + body)
    error = only_error(check(seeds.path))
    assert error.path == "bad.toml"
    assert (error.line, error.col) == (line + 4, col), str(error)
    for fragment in fragments:
        assert fragment in error.message


def test_release_before_start_is_a_bad_date(seeds):
    seeds.write("c.toml", '[[cycle]]\nid = "x"\nstart = 2019-01-01\nrelease = 2018-01-01\n')
    error = only_error(check(seeds.path))
    assert (error.line, error.col) == (4, 1)
    assert "release 2018-01-01 is before start 2019-01-01" in error.message


def test_duplicate_key_across_files_names_the_first_file(seeds):
    seeds.write("base.toml", BASE_SEED)
    seeds.write(
        "a.toml", '[defaults]\ncycle = "stein"\nproject = "nova"\n[[blueprint]]\nid = "x"\ntitle = "X"\n'
    )
    seeds.write(
        "b.toml", '[defaults]\ncycle = "stein"\nproject = "nova"\n\n[[blueprint]]\nid = "x"\ntitle = "Y"\n'
    )
    plan = check(seeds.path)
    error = only_error(plan)
    assert (error.path, error.line, error.col) == ("b.toml", 5, 1)
    assert "duplicate key (already defined at a.toml:4)" in error.message
    assert plan.blueprints["stein/nova/x"].title == "X"


def test_references_resolve_across_files_and_by_suffix(seeds):
    seeds.write("base.toml", BASE_SEED)
    seeds.write(
        "bp.toml", '[defaults]\ncycle = "stein"\nproject = "cinder"\n[[blueprint]]\nid = "x"\ntitle = "X"\n'
    )
    seeds.write(
        "theme.toml",
        '[defaults]\ncycle = "stein"\nproject = "nova"\n'
        '[[theme]]\nid = "t"\ntitle = "T"\nblueprints = ["cinder/x", "x", "stein/cinder/x"]\n',
    )
    plan = check(seeds.path)
    assert plan.problems == []
    assert plan.themes["stein/t"].blueprints == ("stein/cinder/x",)


def test_ambiguous_reference_lists_candidates(seeds):
    seeds.write("base.toml", BASE_SEED)
    seeds.write(
        "bp.toml",
        '[defaults]\ncycle = "stein"\n'
        '[[blueprint]]\nid = "x"\nproject = "cinder"\ntitle = "X"\n'
        '[[blueprint]]\nid = "x"\nproject = "nova"\ntitle = "X"\n'
        '[[session]]\nid = "s"\ntitle = "S"\nprojects = ["neutron-less"]\n',
    )
    seeds.write(
        "s.toml", '[defaults]\ncycle = "stein"\n[[session]]\nid = "s2"\ntitle = "S"\nblueprints = ["x"]\n'
    )
    plan = check(seeds.path)
    messages = [e.message for e in plan.problems]
    assert any("'x' is ambiguous" in m and "cinder/x" in m and "nova/x" in m for m in messages)


def test_not_utf8_points_at_the_byte(seeds):
    (seeds.path / "latin.toml").write_bytes(b'[[project]]\nid = "caf\xe9"\n')
    error = only_error(check(seeds.path))
    assert (error.line, error.col) == (2, 10)
    assert "not UTF-8" in error.message


def test_empty_file_is_valid_and_holds_nothing(seeds):
    seeds.write("empty.toml", "")
    plan = check(seeds.path)
    assert plan.errors == [] and plan.blueprints == {}


def test_missing_id_is_derived_from_the_title_with_a_warning(seeds):
    seeds.write("base.toml", BASE_SEED)
    seeds.write(
        "bp.toml",
        '[defaults]\ncycle = "stein"\nproject = "nova"\n\n[[blueprint]]\ntitle = "Add an IOPS weigher!"\n',
    )
    plan = check(seeds.path)
    assert plan.problems == []
    assert "stein/nova/add-an-iops-weigher" in plan.blueprints
    (warning,) = plan.warnings
    assert (warning.line, warning.col) == (5, 1) and "derived 'add-an-iops-weigher'" in warning.message


def test_control_characters_are_dropped_from_text():
    parsed = parse_text("x.toml", b'[[project]]\nid = "p"\nname = "a\\u001b[31mb\\u0007c\\u009bd\\tq"\n')
    assert parsed.ok
    assert parsed.records[0].name == "a[31mbcd\tq"
    assert clean_text("x\x00\x7f\x85y\nz") == "x" + "y\nz"


def test_markup_like_text_is_kept_literally():
    parsed = parse_text("x.toml", b'[[project]]\nid = "p"\nname = "[TODO] [/] [bold]y[/bold]"\n')
    assert parsed.records[0].name == "[TODO] [/] [bold]y[/bold]"


def test_the_documented_example_is_valid(seeds):
    from tests.conftest import REPO

    doc = (REPO / "docs" / "seeds.md").read_text(encoding="utf-8")
    example = doc.split("## A complete example", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    seeds.write("example.toml", example)
    plan = check(seeds.path)
    assert plan.errors == []
    assert plan.sessions["stein/nova-cinder"].blueprints == ("stein/nova/volume-backed-server-rebuild",)
    assert [m.project for m in plan.cycles["stein"].milestones] == [None, None, "cinder"]
    assert [n.text for n in plan.cycles["stein"].notes] == [
        "12 approved blueprints: 3 implemented, 1 blocked."
    ]
    rebuild = plan.blueprints["stein/nova/volume-backed-server-rebuild"]
    assert rebuild.reviews == (530012, 532407) and rebuild.review_state(530012) == "abandoned"
    assert rebuild.review_state(532407) == ""
    # The [[history]] table's later fact wins over the blueprint's own state.
    assert rebuild.state is State.IMPLEMENTED and rebuild.history[-1].by == "a later import"
