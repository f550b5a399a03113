"""Write a plan the size of all of OpenStack's history in the seed format.

    python -m tests.bench.generate OUT_DIR [--blueprints 50000] [--seed 1]

35 cycles, 60 projects, 1,000 themes, 2,000 sessions and 50,000 blueprints by
default, one file per cycle and project (about 2,100 files) plus
``cycles.toml`` and ``projects.toml``.  The same arguments always write the
same bytes, so timings on two machines compare like with like.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

STATES = ["proposed", "approved", "started", "blocked", "implemented", "deferred", "abandoned"]
# Older cycles are mostly finished; newer ones mostly open.
OLD_WEIGHTS = [1, 2, 1, 1, 12, 3, 2]
NEW_WEIGHTS = [4, 6, 3, 1, 2, 1, 1]
WORDS = [
    "scheduler",
    "volume",
    "placement",
    "libvirt",
    "ironic",
    "quota",
    "api",
    "microversion",
    "policy",
    "cells",
    "upgrade",
    "numa",
    "vgpu",
    "cinder",
    "neutron",
    "glance",
    "keystone",
    "rbac",
    "metrics",
    "image",
    "network",
    "port",
    "flavor",
    "server",
    "migration",
    "evacuate",
    "rebuild",
    "resize",
    "snapshot",
    "backup",
    "encryption",
    "tls",
    "fips",
    "oslo",
    "limits",
    "shares",
    "manila",
]
CATEGORIES = [
    "API",
    "Scheduler",
    "Hypervisor: libvirt",
    "Hypervisor: ironic",
    "CI",
    "Clients",
    "Cells",
    "Networking",
    "Storage",
    "Security",
]


def cycle_names(count: int) -> list[str]:
    return [f"c{n:02d}" for n in range(count)]


def generate(
    out: Path,
    *,
    blueprints: int = 50_000,
    cycles: int = 35,
    projects: int = 60,
    themes: int = 1_000,
    sessions: int = 2_000,
    seed: int = 1,
) -> int:
    """Write the plan into ``out`` (made if missing); returns the number of files written."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    cycle_ids = cycle_names(cycles)
    project_ids = [f"p{n:02d}" for n in range(projects)]
    start = dt.date(2010, 10, 1)

    lines = []
    for index, cycle in enumerate(cycle_ids):
        begin = start + dt.timedelta(days=182 * index)
        release = begin + dt.timedelta(days=182)
        lines.append(
            f'[[cycle]]\nid = "{cycle}"\nname = "Cycle {index + 1}"\nstart = {begin}\n'
            f'release = {release}\nstatus = "{"development" if index == cycles - 1 else "eol"}"\n'
        )
        for week, kind in ((6, "milestone"), (12, "spec-freeze"), (19, "feature-freeze"), (23, "rc")):
            lines.append(
                f'[[cycle.milestone]]\nname = "{cycle}-{kind}"\n'
                f'date = {begin + dt.timedelta(weeks=week)}\nkind = "{kind}"\n'
            )
    (out / "cycles.toml").write_text("\n".join(lines))
    (out / "projects.toml").write_text(
        "\n".join(f'[[project]]\nid = "{p}"\nname = "Project {p}"\n' for p in project_ids)
    )

    # Spread the counts over (cycle, project) files as evenly as whole numbers allow.
    cells = [(c, p) for c in cycle_ids for p in project_ids]
    per_cell = {cell: blueprints // len(cells) for cell in cells}
    for cell in rng.sample(cells, blueprints % len(cells)):
        per_cell[cell] += 1
    theme_cells = rng.sample(cells, min(themes, len(cells))) if themes <= len(cells) else cells
    session_cells = [rng.choice(cells) for _ in range(sessions)]
    sessions_in: dict[tuple[str, str], int] = {}
    for cell in session_cells:
        sessions_in[cell] = sessions_in.get(cell, 0) + 1

    written = 2
    for cycle_index, cycle in enumerate(cycle_ids):
        weights = OLD_WEIGHTS if cycle_index < cycles - 4 else NEW_WEIGHTS
        for project in project_ids:
            cell = (cycle, project)
            ids = [f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{n}" for n in range(per_cell[cell])]
            parts = [f'[defaults]\ncycle = "{cycle}"\nproject = "{project}"\n']
            for ident in ids:
                words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9)))
                reviews = ", ".join(str(rng.randint(100_000, 999_999)) for _ in range(rng.randint(0, 3)))
                parts.append(
                    f'[[blueprint]]\nid = "{ident}"\ntitle = "{words.capitalize()}"\n'
                    f'category = "{rng.choice(CATEGORIES)}"\nstate = "{rng.choices(STATES, weights)[0]}"\n'
                    f'owner = "dev{rng.randint(1, 400)}"\nreviews = [{reviews}]\n'
                )
            if cell in theme_cells and ids:
                members = ", ".join(f'"{i}"' for i in rng.sample(ids, min(len(ids), 5)))
                parts.append(
                    f'[[theme]]\nid = "theme-{project}"\ntitle = "{project} {rng.choice(WORDS)} work"\n'
                    f'kind = "{rng.choice(["theme", "priority", "goal"])}"\nblueprints = [{members}]\n'
                )
            for n in range(sessions_in.get(cell, 0)):
                other = rng.choice(project_ids)
                parts.append(
                    f'[[session]]\nid = "{project}-session-{n}"\ntitle = "{project} and {other}: '
                    f'{rng.choice(WORDS)}"\nevent = "PTG"\nprojects = ["{project}", "{other}"]\n'
                    f'agreements = ["Agree on {rng.choice(WORDS)}"]\n'
                    f'[[session.action]]\nowner = "dev{rng.randint(1, 400)}"\ntext = "Write it up"\n'
                )
            (out / f"{cycle}-{project}.toml").write_text("\n".join(parts))
            written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.generate")
    parser.add_argument("out", type=Path)
    parser.add_argument("--blueprints", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    files = generate(args.out, blueprints=args.blueprints, seed=args.seed)
    print(f"{args.out}: {files} files, {args.blueprints} blueprints")


if __name__ == "__main__":
    main()
