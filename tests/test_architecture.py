"""DESIGN §3: dependencies point one way, courses ← roleplay ← assessments ← content."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ABOVE = {
    "courses": {"roleplay", "assessments", "content"},
    "roleplay": {"assessments", "content"},
    "assessments": {"content"},
}


def imported_apps(path: Path) -> set[str]:
    apps = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            apps.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            apps.add(node.module.split(".")[0])
    return apps


@pytest.mark.parametrize("app", ABOVE)
def test_it_keeps_each_app_from_importing_the_apps_above_it(app):
    found = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) & ABOVE[app])
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and imported_apps(path) & ABOVE[app]
    }
    assert found == {}
