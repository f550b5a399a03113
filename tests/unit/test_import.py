"""`cycleboard import`: openstack/releases schedules and the nova-specs index as seed files.

The fixtures in tests/upstream/ are small files written for these tests in
the upstream formats, with the traps of the real data: a release-id a YAML
loader reads as a float, ``slurp: yes``, labels defined in another series'
schedule.rst, a label defined nowhere, project sections, a spec with no
blueprint link and two specs that share one blueprint.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from store.model import MilestoneKind, State
from store.plan import assemble, seed_files
from store.seeds import parse_file
from store.upstream.generated import generated_by
from store.upstream.imports import import_nova_specs, import_releases
from store.upstream.releases import read_releases
from store.upstream.yamltext import UpstreamError
from tests.conftest import REPO
from tui.cli import main

UPSTREAM = Path(__file__).parent.parent / "upstream"
RELEASES = UPSTREAM / "releases"
LABELS = UPSTREAM / "labels.tsv"
SPECS = UPSTREAM / "nova-specs.tsv"


def load(folder: Path):
    plan = assemble(parse_file(p, p.relative_to(folder).as_posix()) for p in seed_files(folder))
    assert plan.problems == [], plan.problems
    return plan


def milestones(plan, cycle: str) -> dict[str, tuple]:
    return {m.name: (m.date, m.kind, m.project) for m in plan.cycles[cycle].milestones}


def test_series_keep_their_release_id_as_written(tmp_path):
    import_releases(RELEASES, tmp_path, LABELS)
    plan = load(tmp_path)
    # A YAML loader would make 2023.10 the float 2023.1, and the two series one.
    assert {"2023.10", "2023.1", "zed", "yoga"} == set(plan.cycles)
    assert plan.cycles["2023.10"].name == "2023.10 Bobcat"
    assert plan.cycles["2023.1"].name == "2023.1 Antelope"
    assert plan.cycles["zed"].status.value == "extended-maintenance"
    assert plan.cycles["yoga"].status.value == "eol"
    assert plan.cycles["2023.1"].release == dt.date(2023, 3, 22)
    assert plan.cycles["2023.1"].start == dt.date(2022, 10, 10)  # the schedule's first week
    assert plan.cycles["2023.10"].start == dt.date(2023, 3, 22)  # no schedule: the last release
    assert not any(isinstance(key, bool) or key in ("True", "yes") for key in plan.cycles)


def test_schedule_weeks_become_milestones_with_kinds_days_and_projects(tmp_path):
    result = import_releases(RELEASES, tmp_path, LABELS)
    zed = milestones(load(tmp_path), "zed")
    assert zed["Zed Project Team Gathering (PTG)"] == (dt.date(2022, 4, 4), MilestoneKind.PTG, None)  # Monday
    assert zed["Zed-1 milestone"] == (dt.date(2022, 5, 19), MilestoneKind.MILESTONE, None)  # Thursday
    assert zed["Feature freeze"] == (dt.date(2022, 9, 1), MilestoneKind.FEATURE_FREEZE, None)
    assert zed["RC1 target week"] == (dt.date(2022, 9, 15), MilestoneKind.RC, None)
    assert zed["Zed release"] == (dt.date(2022, 10, 5), MilestoneKind.RELEASE, None)  # initial-release
    # Project-specific, under the rst's Cinder section; the brackets are text.
    assert zed["Spec Freeze [block-storage]"] == (dt.date(2022, 5, 19), MilestoneKind.SPEC_FREEZE, "cinder")
    # The next cycle's election sits among the projects' events but is none of theirs.
    assert zed["2023.1 PTL self-nomination"] == (dt.date(2022, 5, 19), MilestoneKind.OTHER, None)
    # Defined nowhere: named by its label, and said with the line it is on.
    assert zed["z-unknown-event"][1] is MilestoneKind.OTHER
    assert any("zed/schedule.yaml:25:7: warning: label 'z-unknown-event'" in w for w in result.warnings)
    assert any("label 'y-final'" in w for w in result.warnings)


def test_labels_resolve_across_series(tmp_path):
    import_releases(RELEASES, tmp_path, LABELS)
    antelope = milestones(load(tmp_path), "2023.1")
    # z-final is defined in zed/schedule.rst only; in antelope it is the last cycle's release.
    assert antelope["Zed release"] == (dt.date(2022, 10, 6), MilestoneKind.OTHER, None)
    assert antelope["2023.1 Antelope release"] == (dt.date(2023, 3, 22), MilestoneKind.RELEASE, None)
    assert antelope["2023.1 Antelope PTG (virtual)"][1] is MilestoneKind.PTG
    assert antelope["Keystone Spec Freeze"] == (dt.date(2022, 12, 15), MilestoneKind.SPEC_FREEZE, "keystone")
    assert antelope["Manila Spec Proposal Freeze"] == (dt.date(2022, 12, 15), MilestoneKind.OTHER, "manila")
    projects = load(tmp_path).projects
    assert projects["keystone"].name == "Keystone" and projects["cinder"].name == "Cinder"


def test_yaml_tags_are_never_run(tmp_path):
    witness = tmp_path / "ran"
    (tmp_path / "series_status.yaml").write_text(
        "- name: caracal\n  release-id: 2024.1\n  slurp: yes\n  initial-release: 2024-04-03\n"
        f"- name: x\n  status: !!python/object/apply:os.system ['touch {witness}']\n"
    )
    with pytest.raises(UpstreamError) as caught:
        read_releases(tmp_path)
    assert str(caught.value).endswith("series_status.yaml:6:11: status must be a single value, not a list")
    assert not witness.exists()
    (tmp_path / "series_status.yaml").write_text("- name: x\n  status: !!python/name:os.system\n")
    with pytest.raises(UpstreamError) as caught:
        read_releases(tmp_path)
    assert "series_status.yaml:2:11: series 'x': unknown status ''" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("- name: zed\n  status: [eol\n", "3:1", "not valid YAML"),
        ("- name: zed\n  initial-release: 2022-02-30\n", "2:20", "must be a date like 2018-09-03"),
        ("- name: zed\n- name: zed\n", "2:9", "series 'zed' is listed twice"),
        ("- release-id: 2023.1\n", "1:3", "a series has no 'name'"),
        ("- name: zed\n  release-id: yes\n", "2:15", "release-id 'yes' is not like 2023.1"),
    ],
)
def test_bad_series_status_names_file_line_and_column(tmp_path, capsys, text, where, words):
    (tmp_path / "series_status.yaml").write_text(text)
    out = tmp_path / "seeds"
    assert main(["import", "releases", str(tmp_path), "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0]
    assert f"series_status.yaml:{where}: " in err[0] and words in err[0]
    assert not out.exists()  # nothing is written from input that failed


def test_a_second_import_changes_nothing(tmp_path):
    first = import_releases(RELEASES, tmp_path, LABELS)
    first_specs = import_nova_specs(SPECS, tmp_path)
    assert first.written.written and first_specs.written.written
    stamps = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in tmp_path.rglob("*.toml")}
    again = import_releases(RELEASES, tmp_path, LABELS)
    again_specs = import_nova_specs(SPECS, tmp_path)
    assert again.written.written == [] and again_specs.written.written == []
    assert len(again.written.unchanged) == len(first.written.written)
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in tmp_path.rglob("*.toml")} == stamps


def test_a_file_written_by_hand_is_never_replaced(tmp_path, capsys):
    mine = tmp_path / "releases" / "zed.toml"
    mine.parent.mkdir()
    mine.write_text('# my own notes about zed\n[[project]]\nid = "zed-notes"\n')
    code = main(["import", "releases", str(RELEASES), "--labels", str(LABELS), "--out", str(tmp_path)])
    assert code == 1  # said, and the other series are written
    assert mine.read_text() == '# my own notes about zed\n[[project]]\nid = "zed-notes"\n'
    assert "zed.toml was not written by this import: left it alone" in capsys.readouterr().err
    assert generated_by(tmp_path / "releases" / "2023.1.toml") == "releases"
    assert generated_by(mine) is None


def test_a_hand_written_cycle_keeps_its_facts_and_gains_the_milestones_it_lacks(tmp_path):
    (tmp_path / "zed.toml").write_text(
        '[[cycle]]\nid = "zed"\nname = "Zed"\nstart = 2022-03-30\nrelease = 2022-10-05\nstatus = "eol"\n\n'
        '[[cycle.milestone]]\nname = "zed-1 (from the mailing list)"\n'
        'date = 2022-05-19\nkind = "milestone"\n\n'
        '[[cycle.milestone]]\nname = "Cinder spec freeze"\ndate = 2022-05-20\nkind = "spec-freeze"\n'
        'project = "cinder"\n\n[[project]]\nid = "cinder"\nname = "Cinder"\n'
    )
    result = import_releases(RELEASES, tmp_path, LABELS, only=["zed"])
    plan = load(tmp_path)
    zed = plan.cycles["zed"]
    assert (zed.start, zed.status.value) == (dt.date(2022, 3, 30), "eol")  # the hand-written values
    names = [m.name for m in zed.milestones]
    assert "zed-1 (from the mailing list)" in names and "Zed-1 milestone" not in names
    assert "Cinder spec freeze" in names and "Spec Freeze [block-storage]" not in names
    assert "Feature freeze" in names and "Zed release" in names
    assert list(plan.cycles) == ["zed"]  # --cycle: only that series
    assert any("zed.toml gives start 2022-03-30, openstack/releases 2022-04-04" in n for n in result.notices)
    generated = tomllib.loads((tmp_path / "releases" / "zed.toml").read_text())
    assert "cycle" not in generated and generated["defaults"] == {"cycle": "zed"}
    assert {m["name"] for m in generated["milestone"]} == set(names) - {
        "zed-1 (from the mailing list)",
        "Cinder spec freeze",
    }
    assert not (tmp_path / "releases" / "projects.toml").exists()  # cinder is defined by hand


def test_nova_specs_become_blueprints_with_their_launchpad_slug(tmp_path, capsys):
    import_releases(RELEASES, tmp_path, LABELS, only=["zed", "2023.1"])
    (tmp_path / "mine.toml").write_text(
        '[defaults]\ncycle = "zed"\nproject = "nova"\n\n[[blueprint]]\nid = "by-hand"\n'
        'title = "My own words"\nstate = "started"\n'
    )
    code = main(["import", "nova-specs", str(SPECS), "--out", str(tmp_path)])
    assert code == 0
    out, err = capsys.readouterr()
    plan = load(tmp_path)
    unified = plan.blueprints["zed/nova/unified-limits-nova"]
    assert (unified.state, unified.title) == (State.IMPLEMENTED, "Unified limits in nova")
    assert unified.url == "https://blueprints.launchpad.net/nova/+spec/unified-limits-nova"
    virtiofs = plan.blueprints["zed/nova/libvirt-virtiofs"]  # the slug, not the file name
    assert (virtiofs.state, virtiofs.title) == (State.APPROVED, "Libvirt virtiofs [TODO] support")
    assert plan.blueprints["zed/nova/no-blueprint"].url == ""
    assert {"zed/nova/split-a", "zed/nova/split-b"} <= set(plan.blueprints)
    assert plan.blueprints["zed/nova/split-a"].url.endswith("/+spec/split-spec")
    assert plan.blueprints["2023.1/nova/pci-device-tracking-in-placement"].title == "PCI devices in placement"
    assert plan.blueprints["zed/nova/by-hand"].title == "My own words"  # the hand-written one stays
    assert "zed/no-blueprint.rst links no Launchpad blueprint: its id is 'no-blueprint'" in out
    assert "shares the blueprint 'split-spec'" in out
    assert "1 spec(s) of 1 cycle(s) the plan does not define were not imported (yoga)" in err
    assert "nova-specs: 8 specs, 6 blueprints; 3 file(s) written" in out


@pytest.mark.parametrize(
    ("row", "where", "words"),
    [
        ("zed\tmerged\tx.rst\tX\tx", "2:5", "folder 'merged' is neither approved nor implemented"),
        ("zed\tapproved\tx.txt\tX\tx", "2:14", "filename 'x.txt' is not a spec (.rst) file"),
        ("zed\tapproved", "2:1", "expected 5 columns, found 2"),
    ],
)
def test_bad_index_rows_name_their_line(tmp_path, capsys, row, where, words):
    index = tmp_path / "index.tsv"
    index.write_text("release\tfolder\tfilename\ttitle\tblueprint\n" + row + "\n")
    assert main(["import", "nova-specs", str(index), "--out", str(tmp_path / "seeds")]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"cycleboard: {index}:{where}: {words}"


def test_milestone_tables_need_a_known_cycle_and_project(seeds):
    seeds.write(
        "zed.toml",
        """
        [[cycle]]
        id = "zed"
        [[cycle.milestone]]
        name = "zed-1"
        date = 2022-05-19
        """,
    )
    seeds.write(
        "more.toml",
        """
        [defaults]
        cycle = "zed"
        [[milestone]]
        name = "Feature freeze"
        date = 2022-09-01
        kind = "feature-freeze"
        [[milestone]]
        name = "Elsewhere"
        date = 2022-09-01
        cycle = "nosuch"
        [[milestone]]
        name = "Cinder spec freeze"
        date = 2022-05-20
        kind = "spec-freeze"
        project = "cinder"
        """,
    )
    plan = assemble(parse_file(p, p.name) for p in seed_files(seeds.path))
    assert [m.name for m in plan.cycles["zed"].milestones] == [
        "zed-1",
        "Cinder spec freeze",
        "Feature freeze",
    ]
    messages = [str(e) for e in plan.problems]
    assert any(m.startswith("more.toml:10:1:") and "unknown cycle 'nosuch'" in m for m in messages)
    assert any(m.startswith("more.toml:15:1:") and "unknown project 'cinder'" in m for m in messages)


def test_import_does_not_load_textual(tmp_path):
    code = (
        "import sys; from tui.cli import main; "
        f"rc = main(['import', 'releases', {str(RELEASES)!r}, '--out', {str(tmp_path)!r}]); "
        "print(rc, 'textual' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO, check=False
    )
    assert shown.stdout.split()[-2:] == ["0", "False"], shown.stderr


def test_the_imported_plan_checks_clean(tmp_path):
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    out = tmp_path / "seeds"
    assert (
        main(
            [
                "import",
                "releases",
                str(RELEASES),
                "--labels",
                str(LABELS),
                "--out",
                str(out),
                "--cycle",
                "zed,2023.1",
            ]
        )
        == 0
    )
    assert main(["import", "nova-specs", str(SPECS), "--out", str(out)]) == 0
    assert main(["check", "--seeds", str(out)]) == 0


def test_importing_some_series_keeps_the_projects_the_others_name(tmp_path):
    import_releases(RELEASES, tmp_path, LABELS)
    assert "keystone" in load(tmp_path).projects  # named by antelope's milestones only
    again = import_releases(RELEASES, tmp_path, LABELS, only=["zed"])
    plan = load(tmp_path)  # no milestone of antelope lost its project
    assert {"keystone", "cinder", "manila"} <= set(plan.projects)
    assert again.written.written == []


def test_a_folder_without_series_status_is_one_plain_line(tmp_path, capsys):
    assert main(["import", "releases", str(tmp_path / "nowhere"), "--out", str(tmp_path / "seeds")]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"cycleboard: {tmp_path / 'nowhere'}: no series_status.yaml here "
        "(nor data/series_status.yaml of an openstack/releases checkout)\n"
    )
    assert not (tmp_path / "seeds").exists()


def test_an_openstack_releases_checkout_is_read_in_its_own_layout(tmp_path):
    checkout = tmp_path / "releases"
    (checkout / "data").mkdir(parents=True)
    shutil.copy(RELEASES / "series_status.yaml", checkout / "data" / "series_status.yaml")
    shutil.copytree(RELEASES / "zed", checkout / "doc" / "source" / "zed")
    import_releases(checkout, tmp_path / "seeds")
    zed = milestones(load(tmp_path / "seeds"), "zed")
    assert zed["Spec Freeze [block-storage]"][2] == "cinder"


def test_the_import_dates_what_it_knows_of_a_hand_written_blueprint_and_the_newer_fact_wins(tmp_path, capsys):
    import_releases(RELEASES, tmp_path, LABELS, only=["zed", "2023.1"])
    release = load(tmp_path).cycles["2023.1"].release
    recap = tmp_path / "recap.toml"
    recap.write_text(
        '[defaults]\ncycle = "2023.1"\nproject = "nova"\n\n[[blueprint]]\n'
        'id = "pci-device-tracking-in-placement"\ntitle = "Track PCI devices in placement"\n'
        'state = "approved"  # a guess from the PTG\n'
    )
    assert main(["import", "nova-specs", str(SPECS), "--out", str(tmp_path)]) == 0
    out, _ = capsys.readouterr()
    assert (
        "2023.1/nova/pci-device-tracking-in-placement: "
        f"implemented in nova-specs (dated {release}), approved in recap.toml; "
        "a [[history]] entry says so, and the newer fact wins"
    ) in out
    written = tomllib.loads((tmp_path / "nova-specs" / "2023.1.toml").read_text())
    assert written["history"] == [
        {
            "blueprint": "nova/pci-device-tracking-in-placement",
            "date": release,
            "state": "implemented",
            "by": "nova-specs",
        }
    ]
    assert "blueprint" not in written  # the hand-written file still defines it
    plan = load(tmp_path)
    assert not plan.problems
    pci = plan.blueprints["2023.1/nova/pci-device-tracking-in-placement"]
    assert (pci.state, pci.title) == (State.IMPLEMENTED, "Track PCI devices in placement")
    assert [(h.date, h.state, h.by) for h in pci.history] == [(release, State.IMPLEMENTED, "nova-specs")]
    # An implemented spec the import defines itself is dated the same way.
    zed = tomllib.loads((tmp_path / "nova-specs" / "zed.toml").read_text())
    unified = next(b for b in zed["blueprint"] if b["id"] == "unified-limits-nova")
    assert unified["history"] == [
        {"date": plan.cycles["zed"].release, "state": "implemented", "by": "nova-specs"}
    ]

    # While a cycle runs, what nova-specs says is dated the day of the import, never ahead of it.
    during = import_nova_specs(SPECS, tmp_path, today=release - dt.timedelta(days=30))
    assert [Path(p).name for p in during.written.written] == ["2023.1.toml"]  # zed was released by then
    assert (
        f"date = {release - dt.timedelta(days=30)}" in (tmp_path / "nova-specs" / "2023.1.toml").read_text()
    )
    import_nova_specs(SPECS, tmp_path)  # and back, for the rest
    # A fact dated after the release (a change made since) is newer again: it wins.
    recap.write_text(
        recap.read_text()
        + '\n[[blueprint.history]]\ndate = 2023-06-01\nstate = "abandoned"\nby = "someone"\n'
    )
    pci = load(tmp_path).blueprints["2023.1/nova/pci-device-tracking-in-placement"]
    assert pci.state is State.APPROVED  # the file's own state value, dated by its newest entry
    recap.write_text(recap.read_text().replace('state = "approved"  #', 'state = "abandoned"  #'))
    pci = load(tmp_path).blueprints["2023.1/nova/pci-device-tracking-in-placement"]
    assert pci.state is State.ABANDONED
    assert [h.state for h in pci.history] == [State.IMPLEMENTED, State.ABANDONED]
