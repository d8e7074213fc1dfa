"""Packaging: what a wheel holds matches the tree, and every adapter is registered and
documented like a third-party one would be."""

from __future__ import annotations

import tomllib
from importlib.metadata import entry_points
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _packages_in(folder: Path, name: str) -> set[str]:
    found = set()
    for init in folder.rglob("__init__.py"):
        relative = init.parent.relative_to(folder)
        found.add(".".join([name, *relative.parts]) if relative.parts else name)
    return found


def test_every_package_folder_is_listed_in_pyproject() -> None:
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    in_tree = _packages_in(ROOT / "syndicator", "syndicator") | _packages_in(
        ROOT / "adapters", "syndicator_adapters"
    )
    assert in_tree == listed


def test_every_adapter_module_is_registered_as_an_entry_point() -> None:
    declared = PYPROJECT["project"]["entry-points"]["syndicator.adapters"]
    installed = {ep.name: ep.value for ep in entry_points(group="syndicator.adapters")}
    assert declared == installed  # the editable install is current
    for name, target in declared.items():
        assert target.startswith("syndicator_adapters."), name


def test_every_adapter_is_in_the_readme_platform_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Platforms", 1)[1].split("\n## ", 1)[0]
    declared = PYPROJECT["project"]["entry-points"]["syndicator.adapters"]
    missing = [name for name in declared if f"`{name}`" not in table]
    assert missing == []


def test_builtin_card_layouts_ship_as_package_data() -> None:
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["syndicator_adapters.wechat"]
    layouts = sorted(p.name for p in (ROOT / "adapters" / "wechat" / "layouts").glob("*.toml"))
    assert layouts and "layouts/*.toml" in patterns


def test_the_migration_scripts_ship_inside_the_package() -> None:
    """Revisions are modules of a listed package, and the files Alembic reads beside
    them are package data, so an installed syndicator can upgrade a store."""
    folder = ROOT / "syndicator" / "store" / "migrations"
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert {"syndicator.store.migrations", "syndicator.store.migrations.versions"} <= listed
    assert list((folder / "versions").glob("0*.py"))
    data = set(PYPROJECT["tool"]["setuptools"]["package-data"]["syndicator.store.migrations"])
    others = {p.name for p in folder.iterdir() if p.is_file() and p.suffix not in (".py", ".pyc")}
    assert others and others <= data
