"""The shipped plan holds the facts of the source documents, and passes check."""

from __future__ import annotations

import datetime as dt

import pytest

from store.model import Blueprint, MilestoneKind, State, ThemeKind
from store.plan import assemble, seed_files
from store.seeds import parse_file
from tests.conftest import SHIPPED


@pytest.fixture(scope="module")
def plan():
    return assemble(parse_file(p, p.relative_to(SHIPPED).as_posix()) for p in seed_files(SHIPPED))


def test_shipped_plan_has_no_errors_or_warnings(plan):
    assert [str(e) for e in plan.errors] == []


def test_required_cycles_have_release_dates(plan):
    for cycle_id in ("juno", "kilo", "newton", "queens", "rocky", "stein", "zed", "2023.1"):
        cycle = plan.cycles[cycle_id]
        assert cycle.release and cycle.start and cycle.start < cycle.release
    assert plan.cycles["2023.1"].name == "2023.1 Antelope"
    assert plan.cycles["stein"].release == dt.date(2019, 4, 10)


def test_named_milestones(plan):
    def kinds(cycle_id):
        return {(m.name, m.date, m.kind) for m in plan.cycles[cycle_id].milestones}

    assert ("newton-1", dt.date(2016, 6, 2), MilestoneKind.MILESTONE) in kinds("newton")
    assert ("Non-priority spec approval freeze", dt.date(2016, 6, 2), MilestoneKind.SPEC_FREEZE) in kinds(
        "newton"
    )
    assert ("Stein PTG (Denver)", dt.date(2018, 9, 10), MilestoneKind.PTG) in kinds("stein")
    assert ("kilo-1", dt.date(2014, 12, 18), MilestoneKind.MILESTONE) in kinds("kilo")
    assert ("Queens PTG (Denver)", dt.date(2017, 9, 11), MilestoneKind.PTG) in kinds("queens")
    assert any(m.kind is MilestoneKind.SPEC_FREEZE for m in plan.cycles["rocky"].milestones)


def test_kilo_io_ops_weigher_is_implemented_with_both_reviews(plan):
    bp = plan.blueprints["kilo/nova/io-ops-weight"]
    assert bp.state is State.IMPLEMENTED
    assert bp.reviews == (127123, 132614)
    assert bp.category == "Scheduler"
    assert [(h.date, h.state) for h in bp.history] == [
        (dt.date(2014, 10, 30), State.APPROVED),
        (dt.date(2014, 11, 27), State.IMPLEMENTED),
    ]


def test_kilo_v2_1_api_is_approved_and_fast_tracked_then_implemented_by_the_release(plan):
    bp = plan.blueprints["kilo/nova/v2-on-v3-api"]
    assert bp.title == "Implement the v2.1 API"
    assert bp.fast_tracked and bp.reviews == (126452,)
    # The spec lists say approved; nova-specs, dated the release, says implemented: the newer wins.
    assert [(h.date, h.state, h.by) for h in bp.history][-2:] == [
        (dt.date(2014, 10, 30), State.APPROVED, ""),
        (dt.date(2015, 4, 30), State.IMPLEMENTED, "nova-specs"),
    ]
    assert bp.state is State.IMPLEMENTED


def written_by_hand(plan, key: str) -> bool:
    return not plan.origins[f"blueprint:{key}"][0].startswith(("nova-specs/", "releases/"))


def test_kilo_lists_about_85_blueprints_with_history(plan):
    kilo = [b for b in plan.blueprints.values() if b.cycle == "kilo" and written_by_hand(plan, b.key)]
    assert 80 <= len(kilo) <= 90
    assert all(b.reviews and b.category and b.history for b in kilo)
    states = {b.state for b in kilo}
    assert {State.PROPOSED, State.APPROVED, State.IMPLEMENTED, State.ABANDONED} <= states
    # a state that changed between the posts: proposed, then abandoned on review day
    flatten = plan.blueprints["kilo/nova/flatten-aggregate-metadata"]
    assert [h.state for h in flatten.history] == [State.PROPOSED, State.ABANDONED]


def test_newton_blueprints_from_the_recaps(plan):
    for slug in ("generic-resource-pools", "resource-providers-allocations", "standardize-capabilities"):
        assert f"newton/nova/{slug}" in plan.blueprints


def test_stein_themes_and_cross_project_sessions(plan):
    themes = {t.id for t in plan.themes.values() if t.cycle == "stein"}
    assert themes == {"multi-gpu-nested-providers", "multi-cell-operations", "volume-backed-ux"}
    cross = {s.id: s for s in plan.sessions.values() if s.cycle == "stein" and s.cross_project}
    assert {"nova-cinder", "nova-cyborg", "nova-neutron", "nova-ironic"} <= set(cross)
    cyborg = cross["nova-cyborg"]
    assert cyborg.projects == ("nova", "cyborg")
    assert [(a.owner, a.done) for a in cyborg.actions] == [("cyborg team", False)]
    volume = plan.themes["stein/volume-backed-ux"]
    assert "stein/nova/volume-backed-server-rebuild" in volume.blueprints


def test_queens_placement_priorities_and_2023_1_tc_goals(plan):
    queens = {t.id: t for t in plan.themes.values() if t.cycle == "queens"}
    # Three priorities, each a theme of its own so each can be tracked.
    assert {t: (q.kind, q.blueprints) for t, q in queens.items()} == {
        "alternate-hosts": (ThemeKind.PRIORITY, ("queens/nova/return-alternate-hosts",)),
        "migration-allocations": (ThemeKind.PRIORITY, ("queens/nova/migration-allocations",)),
        "nested-resource-providers": (ThemeKind.PRIORITY, ("queens/nova/nested-resource-providers",)),
    }
    goals = {t.id for t in plan.themes.values() if t.cycle == "2023.1" and t.kind is ThemeKind.GOAL}
    assert goals == {"fips", "privsep", "ubuntu-jammy", "secure-rbac"}


def test_2023_1_cross_project_sessions_have_owners(plan):
    ironic = plan.sessions["2023.1/ironic-nova"]
    assert ironic.projects == ("nova", "ironic")
    assert ironic.actions[0].owner == "JayF and johnthetubayguy"
    assert plan.sessions["2023.1/neutron-nova"].cross_project


# -- The plan tells the truth: each class of fact the documents and nova-specs give ----------


def hand_written(name: str) -> dict[str, object]:
    """One hand-written file's blueprints as written there, before any other file's facts join."""
    parsed = parse_file(SHIPPED / name, name)
    return {r.key: r for r in parsed.records if isinstance(r, Blueprint)}


def test_work_that_landed_is_implemented_by_the_newer_nova_specs_fact(plan):
    from types import SimpleNamespace

    from store.timeline import risks_of

    landed = {
        "2023.1/nova/fqdn-in-hostname": State.APPROVED,
        "2023.1/nova/stable-compute-uuid": State.PROPOSED,
        "2023.1/nova/allowing-target-state-for-evacuate": State.PROPOSED,
        "kilo/nova/api-microversions": State.PROPOSED,
        "kilo/nova/v2-on-v3-api": State.APPROVED,
    }
    written = hand_written("2023.1.toml") | hand_written("kilo.toml")
    for key, guessed in landed.items():
        release = plan.cycles[key.split("/")[0]].release
        bp = plan.blueprints[key]
        assert written[key].state is guessed, key  # the recap's guess stays written by hand
        assert bp.state is State.IMPLEMENTED, key
        assert (bp.history[-1].date, bp.history[-1].by) == (release, "nova-specs"), key
    # Neither released cycle lists them as work that did not land.
    for cycle_id in ("2023.1", "kilo"):
        cycle = plan.cycles[cycle_id]
        rows = [SimpleNamespace(blueprint=b, state=b.state, mark=None) for b in plan.blueprints.values()]
        risks, released = risks_of(
            cycle, [r for r in rows if r.blueprint.cycle == cycle_id], dt.date(2026, 1, 1)
        )
        assert released and not {r.key for r in risks} & set(landed)


def test_one_piece_of_work_is_one_blueprint(plan):
    assert "2023.1/nova/libvirt-cpu-power-management" not in plan.blueprints
    power = plan.blueprints["2023.1/nova/libvirt-cpu-state-mgmt"]
    assert power.title == "Power CPU cores on and off on demand" and power.state is State.IMPLEMENTED
    assert "2023.1/nova/libvirt-cpu-state-mgmt" in plan.sessions["2023.1/technical-topics"].blueprints
    # No two blueprints of one cycle point at the same Launchpad page, save specs sharing one.
    seen: dict[tuple[str, str], str] = {}
    for bp in plan.blueprints.values():
        if bp.url and not bp.url.endswith("/isolate-scheduler-db"):
            assert (bp.cycle, bp.url) not in seen, (bp.key, seen.get((bp.cycle, bp.url)))
            seen[(bp.cycle, bp.url)] = bp.key


def test_states_follow_what_the_documents_say(plan):
    newton = hand_written("newton.toml")
    assert newton["newton/nova/add-buildrequest-obj"].state is State.IMPLEMENTED  # "completed in Mitaka"
    assert newton["newton/nova/standardize-capabilities"].state is State.APPROVED  # "slated for Newton"
    # Fast tracked is a flag: approved only where a list also says approved.
    for key in ("kilo/nova/i18n-enablement-juno", "kilo/nova/log-request-id-mappings"):
        bp = plan.blueprints[key]
        assert bp.fast_tracked and bp.state is State.PROPOSED, key
    websocket = plan.blueprints["kilo/nova/websocket-proxy-to-host-security"]
    assert websocket.fast_tracked and [(h.date, h.state) for h in websocket.history] == [
        (dt.date(2014, 10, 30), State.PROPOSED),
        (dt.date(2014, 11, 27), State.APPROVED),
    ]


def test_no_owner_day_url_or_theme_that_no_source_gives(plan):
    owners = {a.owner for s in plan.sessions.values() for a in s.actions}
    assert not owners & {"nova-core", "api-sig", "nova and cinder teams"}
    assert not [
        a for a in plan.sessions["stein/nova-ironic"].actions if "ComputeCapabilities" in a.text
    ]  # the summary leaves it open; nobody took it on
    dated = {s.key: s.date for s in plan.sessions.values() if s.date}
    assert dated == {
        "2023.1/operator-hours": dt.date(2022, 10, 18),  # "Tuesday"
        "stein/rocky-retrospective": dt.date(2018, 9, 12),  # "Wednesday"
        **{f"stein/nova-{p}": dt.date(2018, 9, 13) for p in ("cinder", "cyborg", "neutron", "ironic")},
        "stein/tech-debt": dt.date(2018, 9, 14),  # "Friday"
        "queens/pike-retrospective": dt.date(2017, 9, 13),  # first of the last three days
    }
    assert not [m for m in plan.cycles["2023.1"].milestones if "review day" in m.name.lower()]
    for key in ("kilo/nova/isolate-scheduler-db-filters", "kilo/nova/remove-glanceclient-wrapper"):
        assert plan.blueprints[key].url == "", key
    kilo = {t.id: t for t in plan.themes.values() if t.cycle == "kilo"}
    upstream = "Cells V2, Objects, Scheduler, V2.1 API, Functional testing, Nova-network/Neutron Migration"
    assert len(kilo) == 9 == len(upstream.split(", ")) + 3  # and no-downtime DB upgrades, bugs, CI
    assert {t.kind for t in kilo.values()} == {ThemeKind.PRIORITY}
    assert "Dan Smith" in kilo["objects"].description and "Jay Pipes" in kilo["scheduler"].description
    assert "estimated" in (SHIPPED / "kilo.toml").read_text(encoding="utf-8").split("[defaults]")[0]


def test_facts_the_documents_give_are_in_the_plan(plan):
    sriov = plan.sessions["newton/sriov-nfv-subteam"]
    assert [a.owner for a in sriov.actions] == [
        "lennyb and wznoinsk",
        "lbeliveau and moshele",
        "sfinucan",
        "(needs an owner)",
    ]
    assert "stein/nova/aggregate-allocation-ratios" in plan.sessions["stein/placement"].blueprints
    role = plan.blueprints["2023.1/placement/policy-service-role-default"]
    assert role.state is State.PROPOSED and role.url == ""
    assert role.key in plan.themes["2023.1/secure-rbac"].blueprints
    goals = plan.sessions["2023.1/tc-goals"]
    assert [(a.owner, "rfe" in a.text) for a in goals.actions] == [("sean-k-mooney", True)]
    actions = " | ".join(a.text for a in plan.sessions["2023.1/technical-topics"].actions)
    for words in ("warning", "init script", "udev", "rfe bug for each project client"):
        assert words in actions, words


def test_modelling_keeps_the_facts_apart(plan):
    newton = plan.cycles["newton"]
    assert [n.text for n in newton.notes] == [
        "59 approved blueprints: 6 completed, 5 not started, 3 blocked."
    ]
    assert "59" not in plan.themes["newton/scheduler"].description
    orphans = plan.blueprints["kilo/nova/remove-orphan-instances"]
    assert [(n, orphans.review_state(n)) for n in orphans.reviews] == [
        (137996, "abandoned"),
        (138627, "open"),
    ]
    weigher = plan.blueprints["kilo/nova/io-ops-weight"]
    assert [(n, weigher.review_state(n)) for n in weigher.reviews] == [(127123, ""), (132614, "open")]
    # Placement's talks were Nova's own; the cross-project ones were with other teams.
    for key in ("stein/placement", "queens/placement"):
        assert not plan.sessions[key].cross_project, key
    cross = {s.key for s in plan.sessions.values() if s.cycle == "stein" and s.cross_project}
    assert cross == {f"stein/nova-{p}" for p in ("cinder", "cyborg", "neutron", "ironic")}
