"""pyproject.toml names every third-party package that portal/ imports, and requirements.txt pins
each of them: `pip install .` alone gives a portal that starts, and `make` installs the same."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
# Needed at run time without an import statement in portal/.
LOADED_BY_NAME = {"psycopg": "the PostgreSQL driver in PORTAL_DATABASE_URL",
                  "email-validator": "WTForms' Email() check", "gunicorn": "the production server"}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_top_level_modules() -> set[str]:
    modules = set()
    for path in (ROOT / "portal").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return {m for m in modules if m not in sys.stdlib_module_names and m not in ("portal",)}


def declared() -> dict[str, set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {
        "run": {_normal(Requirement(r).name) for r in project["dependencies"]},
        "dev": {_normal(Requirement(r).name) for r in project["optional-dependencies"]["dev"]},
    }


def pinned(*files: str) -> set[str]:
    names = set()
    for name in files:
        for line in (ROOT / name).read_text().splitlines():
            if "==" in line and not line.lstrip().startswith("#"):
                names.add(_normal(Requirement(line.split("#")[0].strip()).name))
    return names


def test_every_import_of_portal_is_a_declared_dependency():
    distributions = packages_distributions()
    needed = {}
    for module in imported_top_level_modules():
        dists = distributions.get(module)
        assert dists, f"{module} is imported by portal/ but not installed"
        needed[module] = {_normal(d) for d in dists}
    run = declared()["run"]
    missing = sorted(m for m, dists in needed.items() if not dists & run)
    assert not missing, f"imported by portal/ but not in [project.dependencies]: {missing}"
    assert {_normal(n) for n in LOADED_BY_NAME} <= run


def test_every_declared_dependency_is_pinned_for_make():
    wanted = declared()
    assert wanted["run"] <= pinned("requirements.txt")
    assert wanted["dev"] <= pinned("requirements.txt", "requirements-dev.txt")
    assert {"pytest", "hypothesis", "playwright", "pytest-playwright", "axe-playwright-python",
            "ruff"} <= wanted["dev"]
