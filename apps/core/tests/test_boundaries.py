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

# Ways to get hold of a model without importing it: the app registry and its
# caches, and the models a relation points at. Any of them would let a context
# reach into another's models while import-linter sees no import.
REGISTRY_AND_RELATION_ATTRIBUTES = {
    "get_model",
    "get_models",
    "all_models",
    "app_configs",
    "get_app_config",
    "get_app_configs",
    "related_model",
    "remote_field",
    "related_objects",
    "fields_map",
    "_relation_tree",
}
CONTEXTS = ("accounts", "markets", "activity", "catalog", "orders")


def _reaches(source: str, own: str) -> list[str]:
    """What in ``source`` (of context ``own``) reaches another context without its api."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in REGISTRY_AND_RELATION_ATTRIBUTES:
            found.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "django.apps":
            if any(alias.name == "apps" for alias in node.names):
                found.append(f"line {node.lineno}: the app registry")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # A dotted path or app label into another context, for import_string,
            # import_module or a lazy reference: only its api module may be named.
            found.extend(
                f"line {node.lineno}: {node.value!r}"
                for other in CONTEXTS
                if other != own
                and node.value.startswith(f"apps.{other}.")
                and not node.value.startswith(f"apps.{other}.api")
            )
    return found


def test_no_context_reaches_another_by_registry_relation_or_dotted_path() -> None:
    offenders = {
        str(path.relative_to(APPS)): reaches
        for path in _sources(APPS)
        if path.relative_to(APPS).parts[0] in CONTEXTS
        and str(path.relative_to(APPS)) not in MIGRATION_HELPERS
        and (reaches := _reaches(path.read_text(), path.relative_to(APPS).parts[0]))
    }
    assert offenders == {}


def test_the_scan_sees_each_way_round_the_contract() -> None:
    """The scan above is only as good as what it catches: each bypass, written out."""
    bypasses = [
        'from django.apps import apps\nMarket = apps.get_model("markets", "Market")\n',
        'Market = Product._meta.get_field("market").related_model\n',
        'Market = Product._meta.get_field("market").remote_field.model\n',
        'from django.apps import apps as registry\nm = registry.all_models["markets"]\n',
        'Market = import_string("apps.markets.models.Market")\n',
    ]
    for source in bypasses:
        assert _reaches(source, "orders"), source
    allowed = 'from apps.markets import api\nsummary = import_string("apps.markets.api")\n'
    assert _reaches(allowed, "orders") == []
