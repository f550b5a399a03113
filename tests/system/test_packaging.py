"""What `pip install .` puts in place: every package of the source tree.

The tests run from the source tree, where a package missing from
pyproject.toml still imports; an installed copy would fail at start.
"""

from __future__ import annotations

import tomllib

from tests.conftest import REPO


def test_every_package_in_the_tree_is_installed():
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(REPO).parts)
        for top in ("store", "tui")
        for init in (REPO / top).rglob("__init__.py")
    }
    assert found <= listed, (
        f"missing from pyproject.toml [tool.setuptools] packages: {sorted(found - listed)}"
    )
