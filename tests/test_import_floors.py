"""Every import arrow in portal/ points down the floors of the README's Layout.

The floors, from the ground up: the shared helpers at the top of portal/; access and messages;
budgets; agreements and providers; claims; payments; overview, funders, office and api; the web
floor (portal.web, portal.describe, the navigation and every area's views); paper; demo and the
command line (with the app factory). A module may import its own floor or any lower one, at
module level and inside a function alike; an upward import fails this test.
"""

from __future__ import annotations

import ast
from pathlib import Path

PORTAL = Path(__file__).resolve().parent.parent / "portal"

AREA_FLOORS = {
    "access": 1, "messages": 1,
    "budgets": 2,
    "agreements": 3, "providers": 3,
    "claims": 4,
    "payments": 5,
    "overview": 6, "funders": 6, "office": 6, "api": 6, "identity": 6,
    "paper": 8,
    "demo": 9,
}
WEB = 7
TOP = 9
# portal's own modules above the ground floor
# (portal.models gathers every table for Alembic and the app factory.)
TOP_MODULES = {"web": WEB, "describe": WEB, "navigation": WEB, "cli": TOP, "__init__": TOP,
               "models": TOP}
# Modules that sit above their area's floor: the provider's pages read claims and payments.
MODULE_FLOORS = {"portal.providers.pages": 6}

# The only arrows allowed upward: the app factory and the command line top gather everything.
ALLOWED_UP: set[tuple[str, str]] = set()


def floor_of(module: str) -> int:
    parts = module.split(".")
    if parts[0] != "portal":
        raise ValueError(module)
    if len(parts) == 1:
        return TOP
    if module in MODULE_FLOORS:
        return MODULE_FLOORS[module]
    if len(parts) == 2 or parts[1] not in AREA_FLOORS:
        return TOP_MODULES.get(parts[1], 0)
    floor = AREA_FLOORS[parts[1]]
    leaf = parts[-1]
    if leaf == "cli":
        return TOP
    if leaf == "views" or leaf.endswith("_views"):
        return max(floor, WEB)
    return floor


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PORTAL.parent).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def imported(tree: ast.AST, module: str, is_package: bool):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("portal"):
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")
                if not is_package:
                    package = package[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join(package + ([base] if base else []))
            if base == "portal":
                for alias in node.names:
                    yield node.lineno, f"portal.{alias.name}"
            elif base.startswith("portal."):
                yield node.lineno, base


def upward_imports() -> list[str]:
    found = []
    for path in sorted(PORTAL.rglob("*.py")):
        module = module_name(path)
        mine = floor_of(module if path.name != "__init__.py" or module == "portal" else module + ".x")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, target in imported(tree, module, path.name == "__init__.py"):
            if floor_of(target) > mine and (module, target) not in ALLOWED_UP:
                found.append(f"{path.relative_to(PORTAL.parent)}:{line} {module} (floor {mine}) "
                             f"imports {target} (floor {floor_of(target)})")
    return found


def test_no_module_imports_a_higher_floor():
    assert upward_imports() == []


def test_the_check_sees_an_upward_import(tmp_path):
    tree = ast.parse("def f():\n    from portal.claims.rules import parse_reference\n")
    targets = [t for _, t in imported(tree, "portal.access.rules", False)]
    assert targets == ["portal.claims.rules"]
    assert floor_of("portal.claims.rules") > floor_of("portal.access.rules")
    assert floor_of("portal.access.views") == WEB
    assert floor_of("portal.payments.cli") == TOP
