"""The shipped plan holds the facts of the source documents, and passes check."""

from __future__ import annotations

import datetime as dt

import pytest

from store.model import MilestoneKind, State, ThemeKind
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


def test_kilo_v2_1_api_is_approved_and_fast_tracked(plan):
    bp = plan.blueprints["kilo/nova/v2-on-v3-api"]
    assert bp.title == "Implement the v2.1 API"
    assert bp.state is State.APPROVED and bp.fast_tracked
    assert bp.reviews == (126452,)


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
    queens = plan.themes["queens/placement-priorities"]
    assert queens.kind is ThemeKind.PRIORITY and len(queens.blueprints) == 3
    goals = {t.id for t in plan.themes.values() if t.cycle == "2023.1" and t.kind is ThemeKind.GOAL}
    assert goals == {"fips", "privsep", "ubuntu-jammy", "secure-rbac"}


def test_2023_1_cross_project_sessions_have_owners(plan):
    ironic = plan.sessions["2023.1/ironic-nova"]
    assert ironic.projects == ("nova", "ironic")
    assert ironic.actions[0].owner == "JayF and johnthetubayguy"
    assert plan.sessions["2023.1/neutron-nova"].cross_project
