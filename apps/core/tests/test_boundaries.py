"""What import-linter cannot say: the shared kernel's domain part imports no
Django web module, and no context reaches another through the app registry
or a ForeignKey's model."""

from __future__ import annotations

import ast
from pathlib import Path

APPS = Path(__file__).resolve().parents[2]
CORE = APPS / "core"
WEB_MODULES = ("django.http", "django.shortcuts", "django.template", "django.contrib.messages")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def _sources(root: Path) -> list[Path]:
    return [
        path
        for path in root.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    ]


def test_the_kernel_domain_part_imports_no_web_code() -> None:
    offenders = {
        str(path.relative_to(APPS)): sorted(
            name for name in _imports(path) if name.startswith(WEB_MODULES)
        )
        for path in _sources(CORE)
        if "web" not in path.relative_to(CORE).parts
    }
    assert {path: names for path, names in offenders.items() if names} == {}


# Runs inside migrations with their historical registry, on Django's auth models.
MIGRATION_HELPERS = {"accounts/roles.py"}


def test_no_context_reaches_another_by_app_label_or_foreign_key_model() -> None:
    offenders = [
        str(path.relative_to(APPS))
        for path in _sources(APPS)
        if "get_model(" in path.read_text() or "related_model" in path.read_text()
    ]
    assert sorted(set(offenders) - MIGRATION_HELPERS) == []
