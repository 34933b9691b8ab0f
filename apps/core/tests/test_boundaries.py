"""What import-linter cannot say: the shared kernel's domain part imports no
Django web module, and no context reaches another through the app registry,
a ForeignKey's model or the object at the end of a ForeignKey."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

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
    "target_field",
    "get_registered_model",
    "model_class",
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


# --- Through a ForeignKey's object ------------------------------------------------
#
# Foreign keys between contexts stay (DESIGN.md says why), but code reads the
# other side through its API: ``order.market_info`` (markets.api), never
# ``order.market.name``, ``filter(market__status=…)`` or ``select_related("market")``.
# The user model is the exception: the accounts context exports it in its api.

# Lookups on a foreign key that read only the key itself, not the other row.
KEY_ONLY = {"id", "pk", "in", "isnull", "exact", "id__in", "pk__in"}
TEMPLATES = APPS.parent / "templates"


def _cross_context_keys() -> dict[str, set[str]]:
    """Context → the names of its ForeignKeys to another context's model."""
    from django.apps import apps

    keys: dict[str, set[str]] = {context: set() for context in CONTEXTS}
    for model in apps.get_models():
        own = model._meta.app_label
        for field in model._meta.get_fields():
            if not (field.is_relation and field.concrete and field.related_model):
                continue
            other = field.related_model._meta.app_label
            if own in CONTEXTS and other in CONTEXTS and other not in (own, "accounts"):
                keys[own].add(field.name)
    return keys


def _reads_through(key: str, lookup: str) -> bool:
    return lookup == key or (
        lookup.startswith(f"{key}__") and lookup.removeprefix(f"{key}__") not in KEY_ONLY
    )


def _traverses(source: str, keys: set[str]) -> list[str]:
    """Where ``source`` reads the row at the end of one of ``keys``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
            if node.value.attr in keys:  # order.market.name, Product.market.get_queryset
                found.append(f"line {node.lineno}: .{node.value.attr}.{node.attr}")
        elif isinstance(node, ast.keyword) and node.arg:
            if any(node.arg.startswith(f"{key}__") for key in keys) and any(
                _reads_through(key, node.arg) for key in keys
            ):
                found.append(f"line {node.value.lineno}: {node.arg}=")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if any(node.value.startswith(f"{key}__") for key in keys) and any(
                _reads_through(key, node.value) for key in keys
            ):
                found.append(f"line {node.lineno}: {node.value!r}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("select_related", "prefetch_related"):
                named = [arg.value for arg in node.args if isinstance(arg, ast.Constant)]
                found.extend(
                    f"line {node.lineno}: {node.func.attr}({name!r})"
                    for name in named
                    if isinstance(name, str) and any(_reads_through(k, name) for k in keys)
                )
        elif isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "list_select_related"
            for target in node.targets
        ):
            named = [n.value for n in ast.walk(node.value) if isinstance(n, ast.Constant)]
            found.extend(
                f"line {node.lineno}: list_select_related {n!r}" for n in named if n in keys
            )
    return found


def _template_traversals(text: str, keys: set[str]) -> list[str]:
    names = "|".join(sorted(keys))
    pattern = re.compile(rf"\.({names})\.(?!id\b|pk\b)\w+")
    return [match.group(0) for match in pattern.finditer(text)] if keys else []


@pytest.mark.django_db
def test_no_context_reads_another_through_a_foreign_key() -> None:
    keys = _cross_context_keys()
    assert keys["orders"] >= {"market", "product"} and keys["catalog"] == {"market"}
    offenders = {
        str(path.relative_to(APPS)): found
        for path in _sources(APPS)
        if path.relative_to(APPS).parts[0] in CONTEXTS
        and (found := _traverses(path.read_text(), keys[path.relative_to(APPS).parts[0]]))
    }
    offenders |= {
        str(path.relative_to(TEMPLATES.parent)): found
        for context in CONTEXTS
        for path in sorted((TEMPLATES / context).rglob("*.*"))
        if (found := _template_traversals(path.read_text(), keys[context]))
    }
    assert offenders == {}


def test_the_foreign_key_scan_sees_each_way_through() -> None:
    keys = {"market", "product"}
    through = [
        "name = order.market.name\n",
        "order.market.save()\n",
        "Order.objects.filter(market__status='active')\n",
        "Order.objects.select_related('market')\n",
        "Order.objects.order_by('market__name')\n",
        "Product.market.get_queryset()\n",
        "class A:\n    list_select_related = ['market', 'category']\n",
    ]
    for source in through:
        assert _traverses(source, keys), source
    by_key_only = (
        "Order.objects.filter(market_id=1, market__in=[1, 2], product__isnull=True)\n"
        "summary = order.market_info.name\n"
        "rows = with_market_details(Order.objects.all(), relation='market')\n"
    )
    assert _traverses(by_key_only, keys) == []
    assert _template_traversals("{{ order.market.name }}", keys) == [".market.name"]
    assert _template_traversals("{{ order.market_info.name }} {{ x.market.pk }}", keys) == []
