"""The nova-specs index: one row per spec file, as blueprints per cycle.

The index is a TSV with the columns ``release, folder, filename, title,
blueprint``: one row per ``specs/<release>/{approved,implemented}/*.rst`` of
openstack/nova-specs, with the spec's first title and the Launchpad slug of
the first ``blueprints.launchpad.net/nova/+spec/`` link in it.

The folders say how far a spec got: a spec is moved from ``approved/`` to
``implemented/`` once its code merged, so ``implemented`` is implemented and
``approved`` is approved but not implemented.  Launchpad's two axes
(definition and implementation) are not in the index; docs/import.md maps them.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from store.model import State
from store.seeds import clean_text, is_id
from store.upstream.yamltext import UpstreamError, read_text

COLUMNS = ["release", "folder", "filename", "title", "blueprint"]
FOLDER_STATE = {"implemented": State.IMPLEMENTED, "approved": State.APPROVED}
LAUNCHPAD = "https://blueprints.launchpad.net/nova/+spec/{}"


def usable_slug(slug: str) -> bool:
    return is_id(slug)


# ``PCPU`` and `socket` are RST inline literals; a plain title shows the word.
_RST_LITERAL = re.compile(r"``(.+?)``|`([^`]+)`")


@dataclass(frozen=True)
class Spec:
    release: str  # the cycle id: "kilo", "2023.1"
    state: State
    filename: str
    title: str
    slug: str  # "" when the spec links no blueprint
    line: int

    @property
    def stem(self) -> str:
        return self.filename.rsplit(".", 1)[0]


def read_index(path: Path, display: str) -> list[Spec]:
    """Every row of the index; a wrong row stops the import with its line."""
    rows = csv.reader(read_text(path, display).splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = [h.strip().lower() for h in next(rows, [])]
    if header[:5] != COLUMNS:
        raise UpstreamError(
            display, 1, 1, f"expected the columns {', '.join(COLUMNS)}, found {', '.join(header)}"
        )
    specs = []
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 5:
            raise UpstreamError(display, number, 1, f"expected 5 columns, found {len(row)}")
        release, folder, filename, title, slug = (cell.strip() for cell in row[:5])
        if not is_id(release):
            raise UpstreamError(
                display, number, 1, f"release '{release}' is not a cycle id like kilo or 2023.1"
            )
        if folder not in FOLDER_STATE:
            column = len("\t".join(row[:1])) + 2
            raise UpstreamError(
                display, number, column, f"folder '{folder}' is neither approved nor implemented"
            )
        if not filename.endswith(".rst"):
            raise UpstreamError(
                display,
                number,
                len("\t".join(row[:2])) + 2,
                f"filename '{filename}' is not a spec (.rst) file",
            )
        specs.append(
            Spec(release, FOLDER_STATE[folder], filename, plain_title(title) or filename, slug, number)
        )
    return specs


def plain_title(text: str) -> str:
    return clean_text(_RST_LITERAL.sub(lambda m: m.group(1) or m.group(2), text)).strip()


def blueprint_ids(specs: list[Spec]) -> tuple[dict[Spec, str], list[str]]:
    """Each spec of one cycle with its blueprint id, and why any is not the Launchpad slug.

    The id is the slug.  A spec that links no blueprint, or whose link is not
    a usable id, is named by its file; so is each spec of a slug two specs
    share (Kilo's isolate-scheduler-db has a spec for filters and one for
    aggregates), so neither hides the other.
    """
    by_slug: dict[str, int] = {}
    for spec in specs:
        if spec.slug:
            by_slug[spec.slug] = by_slug.get(spec.slug, 0) + 1
    ids: dict[Spec, str] = {}
    notes: list[str] = []
    taken: set[str] = set()
    for spec in specs:
        if usable_slug(spec.slug) and by_slug[spec.slug] == 1:
            ids[spec] = spec.slug
        else:
            if not spec.slug:
                why = "links no Launchpad blueprint"
            elif not usable_slug(spec.slug):
                why = f"links '{spec.slug}', which is not a usable id"
            else:
                why = f"shares the blueprint '{spec.slug}' with another spec of {spec.release}"
            ids[spec] = spec.stem
            if spec.stem != spec.slug:
                notes.append(f"{spec.release}/{spec.filename} {why}: its id is '{spec.stem}'")
    # A file name can be another spec's slug: the slug keeps it.
    for spec in sorted(specs, key=lambda s: ids[s] != s.slug):
        base, n = ids[spec], 2
        while ids[spec] in taken:
            ids[spec] = f"{base}-{n}"
            n += 1
        taken.add(ids[spec])
    return ids, notes
