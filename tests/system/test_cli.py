"""The command line: shapes of list and export, mark, and one-line errors."""

from __future__ import annotations

import json
import os
import stat
import sys

import pytest

from store.model import State
from tests.conftest import BASE_SEED, SHIPPED, run_subprocess
from tui.cli import main

MODEL_FIELDS = {
    "cycles": {"key", "id", "name", "start", "release", "status", "milestones", "runway_slots", "notes"},
    "projects": {"key", "id", "name"},
    "themes": {"key", "cycle", "id", "project", "title", "kind", "description", "blueprints"},
    "sessions": {
        "key",
        "cycle",
        "id",
        "title",
        "event",
        "date",
        "projects",
        "agreements",
        "actions",
        "blueprints",
    },
}
BLUEPRINT_FIELDS = {
    "key",
    "cycle",
    "project",
    "id",
    "title",
    "category",
    "reviews",
    "review_states",
    "state",
    "fast_tracked",
    "owner",
    "url",
    "history",
    "id_derived",
    "slipped",
    "seed_state",
    "marked_at",
}


def test_export_has_every_array_with_keys_and_model_fields(cli, store_dir):
    code, out, err = cli("export", "--seeds", str(SHIPPED), "--store", str(store_dir))
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"cycles", "projects", "themes", "sessions", "blueprints", "runways"}
    for name, fields in MODEL_FIELDS.items():
        assert data[name] and all(set(record) == fields for record in data[name]), name
    assert all(set(b) == BLUEPRINT_FIELDS for b in data["blueprints"])
    assert [c["key"] for c in data["cycles"]][:2] == ["2023.1", "zed"]  # newest first
    io_ops = next(b for b in data["blueprints"] if b["key"] == "kilo/nova/io-ops-weight")
    assert io_ops["state"] == "implemented" and io_ops["reviews"] == [127123, 132614]
    assert io_ops["review_states"] == ["", "open"]  # what became of each, where a source says
    newton = next(c for c in data["cycles"] if c["key"] == "newton")
    assert newton["notes"] == [
        {"text": "59 approved blueprints: 6 completed, 5 not started, 3 blocked.", "date": None}
    ]
    assert io_ops["history"][0] == {
        "date": "2014-10-30",
        "state": "approved",
        "by": "",
    }  # by: who set it, when known
    session = next(s for s in data["sessions"] if s["key"] == "stein/nova-cyborg")
    assert session["actions"] == [
        {"owner": "cyborg team", "text": session["actions"][0]["text"], "done": False}
    ]


def test_list_json_filters_and_carries_effective_state(cli, store_dir):
    args = ("--seeds", str(SHIPPED), "--store", str(store_dir))
    code, out, _ = cli("list", "cycle:kilo", "state:implemented", "--format", "json", *args)
    assert code == 0
    rows = json.loads(out)
    # The one the Kilo spec lists saw implemented, and those nova-specs moved to implemented/.
    keys = [r["key"] for r in rows]
    assert "kilo/nova/io-ops-weight" in keys and "kilo/nova/cells-instance-mapping" in keys
    assert all(k.startswith("kilo/") for k in keys) and {r["state"] for r in rows} == {"implemented"}
    assert "kilo/nova/tag-instances" not in keys  # approved
    assert all(set(r) == BLUEPRINT_FIELDS for r in rows)

    code, out, _ = cli("list", "category:scheduler", "weigher", "--format", "json", *args)
    # free words match the key as well as the title
    assert {r["key"] for r in json.loads(out)} == {
        "kilo/nova/io-ops-weight",
        "kilo/nova/reuse-filter-weigher-objects",
        "kilo/nova/instance-count-weigher",
    }

    code, out, _ = cli("list", "--format", "json", *args)
    every = json.loads(out)
    code, out, _ = cli("list", "cycle:all", "--format", "json", *args)
    assert len(json.loads(out)) == len(every) > 120  # no cycle word: every cycle


def test_mark_by_suffix_with_done_alias_then_list_shows_it(cli, store_dir):
    # The shipped plan is never edited: the mark is kept locally, and stderr says why.
    args = ("--seeds", str(SHIPPED), "--store", str(store_dir))
    code, out, err = cli("mark", "nova/get-lock-status-of-instance", "done", *args)
    assert code == 0 and err.startswith("cycleboard: kept locally: ") and "shipped with cycleboard" in err
    assert out.strip() == "kilo/nova/get-lock-status-of-instance: approved -> implemented (kept locally)"
    code, out, _ = cli("list", "get-lock-status-of-instance", "--format", "json", *args)
    (row,) = json.loads(out)
    assert row["state"] == "implemented" and row["seed_state"] == "approved" and row["marked_at"]
    code, out, _ = cli("mark", "kilo/nova/get-lock-status-of-instance", "implemented", *args)
    assert code == 0 and "already implemented" in out
    code, _, err = cli("mark", "nova/tag-instances", "done", *args)  # Kilo's, and Newton's from nova-specs
    assert code == 1 and "kilo/nova/tag-instances" in err and "newton/nova/tag-instances" in err


def test_mark_survives_in_another_process(store_dir):
    env = {"CYCLEBOARD_STORE": str(store_dir), "CYCLEBOARD_SEEDS": str(SHIPPED)}
    assert run_subprocess("mark", "io-ops-weight", "blocked", env=env).returncode == 0
    listed = run_subprocess("list", "io-ops-weight", "--format", "json", env=env)
    assert json.loads(listed.stdout)[0]["state"] == State.BLOCKED.value


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (("mark", "no-such-blueprint", "done"), 1, "no blueprint matches 'no-such-blueprint'"),
        (("mark", "isolate-scheduler", "done"), 1, "no blueprint matches"),
        (("mark", "tag-instances", "finished"), 1, "unknown state 'finished'"),
        (("list", "state:later"), 1, "unknown state 'later'"),
        (("list", "colour:red"), 1, "unknown field 'colour:'"),
        (("report", "--cycle", "mitaka"), 1, "unknown cycle 'mitaka'"),
        (("frobnicate",), 2, "invalid choice: 'frobnicate'"),
        (("mark", "only-a-key"), 2, "the following arguments are required: STATE"),
        (("list", "--format", "xml"), 2, "invalid choice: 'xml'"),
    ],
)
def test_bad_input_is_one_line_on_stderr(cli, store_dir, args, code, fragment):
    result = cli(*args, "--seeds", str(SHIPPED), "--store", str(store_dir))
    assert result[0] == code
    assert result[2].count("\n") == 1 and fragment in result[2], result[2]
    assert result[2].startswith("cycleboard: ")


def test_ambiguous_key_lists_candidates(cli, seeds, store_dir):
    seeds.write("base.toml", BASE_SEED)
    seeds.write(
        "bp.toml",
        '[defaults]\ncycle = "stein"\n[[blueprint]]\nid = "x"\nproject = "nova"\ntitle = "X"\n'
        '[[blueprint]]\nid = "x"\nproject = "cinder"\ntitle = "X"\n',
    )
    code, _, err = cli("mark", "x", "done", "--seeds", str(seeds.path), "--store", str(store_dir))
    assert code == 1
    assert "'x' is ambiguous; it matches 2 blueprints: stein/cinder/x, stein/nova/x" in err


def test_missing_seeds_folder_and_unwritable_store(cli, tmp_path):
    code, _, err = cli("list", "--seeds", str(tmp_path / "nowhere"))
    assert code == 1 and err == f"cycleboard: seeds folder {tmp_path / 'nowhere'} does not exist\n"
    if os.geteuid() == 0:
        blocker = tmp_path / "file"
        blocker.write_text("x")
        code, _, err = cli("list", "--seeds", str(SHIPPED), "--store", str(blocker / "sub"))
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
        code, _, err = cli("list", "--seeds", str(SHIPPED), "--store", str(locked))
    assert code == 1 and err.count("\n") == 1 and "store" in err


def test_check_exit_codes_and_file_line_col(cli, seeds):
    code, out, _ = cli("check", "--seeds", str(SHIPPED))
    assert code == 0 and ": ok: 22 files" in out
    seeds.write("bad.toml", '[[project]]\nid = "p"\nnmae = "P"\n')
    code, _, err = cli("check", "--seeds", str(seeds.path))
    assert code == 1
    assert f"{seeds.path}/bad.toml:3:1: project 'p': unknown key 'nmae'" in err


def test_report_has_counts_themes_and_open_actions(cli, store_dir):
    code, out, _ = cli("report", "--cycle", "stein", "--seeds", str(SHIPPED), "--store", str(store_dir))
    assert code == 0
    assert out.startswith("# Stein status report\n")
    assert "| approved |" in out
    # The volume type at boot landed in Stein (nova-specs, dated the release); the other two did not.
    assert "**Volume-backed user experience and API hardening** (theme): 1/3 blueprints done" in out
    assert "- [ ] **cyborg team**: Propose the Nova spec for the Cyborg integration" in out
    code, out, _ = cli(
        "report",
        "--cycle",
        "stein",
        "--project",
        "cinder",
        "--seeds",
        str(SHIPPED),
        "--store",
        str(store_dir),
    )
    assert "Nova and Cinder" in out and "Nova and Cyborg" not in out


def test_version(capsys):
    from tui.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == "cycleboard 0.1.0"


def test_non_dashboard_commands_never_import_textual(store_dir):
    probe = (
        "import sys, io, contextlib\n"
        "from tui.cli import main\n"
        "for args in (['check'], ['list'], ['export'], ['report'], ['mark', 'io-ops-weight', 'done']):\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        assert main(args + ['--seeds', sys.argv[1], '--store', sys.argv[2]]) == 0, args\n"
        "leaked = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(leaked)\n"
    )
    import subprocess

    result = subprocess.run(
        [sys.executable, "-c", probe, str(SHIPPED), str(store_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_store_package_never_imports_textual():
    import subprocess

    probe = (
        "import sys, pkgutil, importlib, store\n"
        "for m in pkgutil.walk_packages(store.__path__, 'store.'): importlib.import_module(m.name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'tui')))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_errors_never_print_a_traceback(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "bad.toml").write_bytes(b"\xff\xfe garbage [[[")
    result = run_subprocess("list", "--seeds", str(seeds), env={"CYCLEBOARD_STORE": str(tmp_path / "st")})
    assert "Traceback" not in result.stderr
    assert result.returncode == 0 and "not UTF-8" in result.stderr


def test_dashboard_options_are_checked_before_the_terminal_is_taken():
    for args, code, words in (
        (["--cycle", "nosuch"], 1, "unknown cycle 'nosuch'"),
        (["--project", "nosuch"], 1, "unknown project 'nosuch'"),
        (["--filter", "colour:red"], 1, "unknown field 'colour:'"),
        ([], 2, "the dashboard needs a terminal"),
    ):
        result = run_subprocess(*args)
        assert result.returncode == code, (args, result.stderr)
        assert result.stderr.count("\n") == 1 and words in result.stderr and "Traceback" not in result.stderr


def test_json_output_has_one_record_per_line_whatever_the_titles_hold():
    """The array is encoded whole and broken before each record: text that looks
    like a record's start, nested records and escapes must not break it elsewhere."""
    from tui.cli import _json_lines

    records = [
        {"key": "a/b/c", "title": 'x}, {"key": "fake"} \\ \n "quoted"', "history": [{"date": "2019-01-01"}]},
        {"key": "a/b/d", "title": '}, {"key": ', "history": [{"date": "2019-01-01"}, {"date": "2019-02-02"}]},
        {"key": "a/b/e", "title": "plain ünïcode 界"},
    ]
    text = _json_lines(records)
    assert json.loads(text) == records
    lines = text.split("\n")
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == len(records) + 2
    assert [json.loads(line.rstrip(",")) for line in lines[1:-1]] == records
    assert _json_lines([]) == "[]"


def test_export_names_each_runway_place_by_its_blueprint_key_once(cli, seeds, store_dir):
    """A runway place's key is its blueprint's key; the cycle is not put in front twice."""
    from tests.dashboard_helpers import write_two_projects

    write_two_projects(seeds)
    seeds.write(
        "runways.toml",
        """
        [[runway]]
        cycle = "stein"
        blueprint = "nova/alpha"
        start = 2019-01-07
        """,
    )
    code, out, err = cli("export", "--seeds", str(seeds.path), "--store", str(store_dir))
    assert code == 0, err
    runways = json.loads(out)["runways"]
    assert [(r["key"], r["cycle"], r["blueprint"]) for r in runways] == [
        ("stein/nova/alpha", "stein", "stein/nova/alpha")
    ]


def test_lists_table_has_a_line_per_blueprint_with_state_key_and_title(cli, seeds, store_dir):
    from tests.dashboard_helpers import write_two_projects

    write_two_projects(seeds)
    code, out, err = cli("list", "cycle:stein", "--seeds", str(seeds.path), "--store", str(store_dir))
    assert code == 0, err
    code, as_json, _ = cli("list", "cycle:stein", "--format", "json", "--seeds", str(seeds.path))
    expected = json.loads(as_json)
    lines = out.splitlines()
    assert len(lines) == len(expected) > 1
    for line, row in zip(lines, expected, strict=True):
        assert line.split()[:2] == [row["state"], row["key"]] and row["title"][:20] in line


def test_lists_table_lines_up_whatever_the_titles(cli, seeds, store_dir, monkeypatch):
    from rich.cells import cell_len

    seeds.write(
        "plan.toml",
        '[[project]]\nid = "nova"\n[[cycle]]\nid = "stein"\n[defaults]\ncycle = "stein"\nproject = "nova"\n'
        + "".join(
            f'[[blueprint]]\nid = "{bid}"\ntitle = "{title}"\ncategory = "{cat}"\nstate = "approved"\n'
            f"reviews = {reviews}\n"
            for bid, title, cat, reviews in (
                ("a", "Short", "compute", "[1]"),
                ("a-much-longer-id", "A title that runs on and on for a good while", "api", "[]"),
                ("wide", "幅の広い文字のタイトル", "scheduler", "[123456, 7]"),
            )
        ),
    )
    monkeypatch.setenv("COLUMNS", "100")
    code, out, err = cli("list", "--seeds", str(seeds.path), "--store", str(store_dir))
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 3
    # Where each line's category starts, counted in terminal cells.
    categories = ("compute", "api", "scheduler")
    starts = {cell_len(line[: line.index(next(c for c in categories if c in line))]) for line in lines}
    assert len(starts) == 1, out
    assert all(cell_len(line) <= 100 for line in lines), out
    code, out, _ = cli("list", "--format", "json", "--seeds", str(seeds.path), "--store", str(store_dir))
    assert out.endswith("]\n")


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["check"],
        ["list"],
        ["export"],
        ["mark"],
        ["report"],
        ["import"],
        ["import", "releases"],
        ["import", "nova-specs"],
        ["serve"],
    ],
)
def test_every_commands_help_ends_with_an_example(command, capsys):
    with pytest.raises(SystemExit) as ended:
        main([*command, "--help"])
    assert ended.value.code == 0
    out = capsys.readouterr().out
    examples = out.split("\nexamples:\n", 1)[1].splitlines()
    assert examples and all(line.startswith("  cycleboard") for line in examples), out
    assert " ".join(["cycleboard", *command]) in out.split("\nexamples:\n", 1)[1]


def test_cycles_and_projects_may_be_named_and_an_unknown_name_is_an_error(cli, store_dir):
    by_id = cli("list", "cycle:2023.1", "project:nova", "--format", "json", "--seeds", str(SHIPPED))
    by_name = cli("list", "cycle:Antelope", "project:Nova", "--format", "json", "--seeds", str(SHIPPED))
    assert by_id[0] == by_name[0] == 0
    assert by_name[1] == by_id[1] and len(json.loads(by_id[1])) > 5
    for words, unknown in (
        (["cycle:quokka"], "cycle 'quokka'"),
        (["project:nonesuch"], "project 'nonesuch'"),
    ):
        code, out, err = cli("list", *words, "--seeds", str(SHIPPED), "--store", str(store_dir))
        assert code == 1 and out == ""
        assert err.startswith(f"cycleboard: unknown {unknown} (known: "), err
        assert len(err.strip().splitlines()) == 1
    code, out, err = cli("report", "--project", "Nova", "--cycle", "antelope", "--seeds", str(SHIPPED))
    assert code == 0, err
    assert out.startswith("# 2023.1 Antelope status report — ")


def test_a_leading_minus_and_owner_work_in_list_and_report(cli, store_dir):
    where = ("--seeds", str(SHIPPED), "--store", str(store_dir))
    _, every, _ = cli("list", "project:nova", "--format", "json", *where)
    code, left, err = cli("list", "project:nova", "-state:implemented", "--format", "json", *where)
    assert code == 0, err
    every_rows, left_rows = json.loads(every), json.loads(left)
    assert left_rows == [r for r in every_rows if r["state"] != "implemented"]
    assert 0 < len(left_rows) < len(every_rows)
    code, owned, err = cli("list", "owner:melwitt", "--format", "json", *where)
    assert code == 0 and json.loads(owned) and all("melwitt" in r["owner"] for r in json.loads(owned))
    code, out, err = cli("report", "--cycle", "stein", "-state:implemented", *where)
    assert code == 0, err
    assert "Filtered: `-state:implemented`" in out and "## Blueprints: 0 of " in out
    code, out, err = cli("list", "--bogus", *where)
    assert code == 2 and "unrecognized arguments: --bogus" in err
    code, out, err = cli("list", "-cycle:kilo", *where)
    assert code == 1 and err.count("\n") == 1 and "-cycle:" in err
