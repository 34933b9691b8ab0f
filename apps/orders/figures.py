"""The dashboard's figures, kept up to date by the orders instead of
aggregated over every order on each request.

``OrderFigure`` holds, per local day, status and currency, the number of
orders placed that day (kind "placed") and paid that day (kind "paid") and
their total. An order contributes one to its placed row and, once paid, one
(and its total) to its paid row. ``Order.save`` takes back what the order
contributed as loaded and adds what it contributes now, in the save's
transaction, with one ``INSERT … ON CONFLICT DO UPDATE`` that adds to the
stored values (two concurrent saves add up, never overwrite): a transition
and its figures commit or roll back together.

Writes that bypass ``Order.save`` (``QuerySet.update``, ``bulk_create``, the
scale seed's COPY) must call ``rebuild()``; ``drift()`` (the command
``order_figures --check``) lists every difference from a rebuild, so a
missed path shows.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connections, router, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

if TYPE_CHECKING:
    from .models import Order

# An order's fields its contribution depends on.
FIELDS = frozenset({"status", "currency", "total", "placed_at", "paid_at"})
PLACED, PAID = "placed", "paid"

Key = tuple[str, date, str, str]  # kind, local day, status, currency
Contribution = tuple[tuple[Key, Decimal], ...]


def values_of(order: Order) -> dict[str, Any] | None:
    """``order``'s fields its contribution depends on, None when some are not loaded."""
    if order.get_deferred_fields() & FIELDS:
        return None
    return {name: getattr(order, name) for name in FIELDS}


def contribution_of(values: dict[str, Any]) -> Contribution:
    """What an order with these ``FIELDS`` values counts for."""
    status, currency, total = values["status"], values["currency"], Decimal(values["total"])
    found = [((PLACED, timezone.localdate(values["placed_at"]), status, currency), total)]
    if values["paid_at"] is not None:
        found.append(((PAID, timezone.localdate(values["paid_at"]), status, currency), total))
    return tuple(found)


def contributions(order: Order) -> Contribution:
    """What ``order`` counts for, as its fields are in memory."""
    values = values_of(order)
    # Unknown when not loaded: saved_contributions reads it from the database.
    return () if values is None else contribution_of(values)


def written(order: Order, update_fields: Any) -> tuple[Contribution, dict[str, Any] | None]:
    """What ``order``'s row counts for after a save of ``update_fields`` (None:
    every field), and the values it holds: the fields written as they are in
    memory, the others as loaded or last saved, never an edit not saved."""
    as_saved: dict[str, Any] | None = getattr(order, "_figures_fields", None)
    if update_fields is None:
        values = values_of(order)
    elif as_saved is None:
        values = None
    else:
        names = set(update_fields)
        values = {k: getattr(order, k) if k in names else v for k, v in as_saved.items()}
    if values is None:
        return in_database(order), None
    return contribution_of(values), values


def saved_contributions(order: Order) -> Contribution:
    """What ``order`` counted for in the database before this save."""
    if order._state.adding:
        return ()
    known: Contribution | None = getattr(order, "_figures_as_saved", None)
    return known or in_database(order)


def in_database(order: Order) -> Contribution:
    """What ``order``'s row counts for (one query): for an instance loaded
    without some of the fields, whose save writes only the fields it has."""
    from .models import Order

    saved = Order.objects.filter(pk=order.pk).only(*FIELDS).first()
    return contributions(saved) if saved is not None else ()


def apply(before: Contribution, after: Contribution) -> None:
    """Move an order's contribution from ``before`` to ``after`` (inside a transaction)."""
    changes: dict[Key, tuple[int, Decimal]] = {}
    for sign, contribution in ((-1, before), (1, after)):
        for key, total in contribution:
            count, amount = changes.get(key, (0, Decimal("0.00")))
            changes[key] = (count + sign, amount + sign * total)
    rows = [(key, n, amount) for key, (n, amount) in sorted(changes.items()) if n or amount]
    if rows:
        _add(rows)


def _add(rows: list[tuple[Key, int, Decimal]]) -> None:
    """Add to each row's figures, creating the rows that are missing: one
    ``INSERT … ON CONFLICT DO UPDATE`` (SQLite and PostgreSQL), which adds to
    the stored values, so concurrent saves never overwrite each other."""
    from .models import OrderFigure

    connection = connections[router.db_for_write(OrderFigure)]
    ops, quote = connection.ops, connection.ops.quote_name
    table = quote(OrderFigure._meta.db_table)
    values, params = [], []
    for (kind, day, status, currency), count, amount in rows:
        values.append("(%s, %s, %s, %s, %s, %s)")
        params += [kind, ops.adapt_datefield_value(day), status, currency, count]
        params.append(ops.adapt_decimalfield_value(amount))
    # Only the table's name and placeholders are formatted in; values are parameters.
    sql = (
        f"INSERT INTO {table} (kind, day, status, currency, orders, revenue) "  # noqa: S608
        f"VALUES {', '.join(values)} "
        "ON CONFLICT (kind, status, day, currency) DO UPDATE SET "
        f"orders = {table}.orders + excluded.orders, "
        f"revenue = {table}.revenue + excluded.revenue"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def computed(order_model: Any = None) -> dict[Key, tuple[int, Decimal]]:
    """The figures aggregated from the orders (two grouped queries)."""
    from . import models

    order_model = order_model or models.Order
    found: dict[Key, tuple[int, Decimal]] = {}
    for kind, field in ((PLACED, "placed_at"), (PAID, "paid_at")):
        rows = (
            order_model.objects.filter(**{f"{field}__isnull": False})
            .annotate(day=TruncDate(field))
            .order_by()
            .values("day", "status", "currency")
            .annotate(count=Count("pk"), amount=Sum("total"))
        )
        for row in rows:
            key = (kind, row["day"], row["status"], row["currency"])
            found[key] = (row["count"], Decimal(row["amount"]).quantize(Decimal("0.01")))
    return found


def stored(figure_model: Any = None) -> dict[Key, tuple[int, Decimal]]:
    """The figures as kept, without rows that went back to zero."""
    from . import models

    figure_model = figure_model or models.OrderFigure
    rows = figure_model.objects.exclude(orders=0, revenue=0).values_list(
        "kind", "day", "status", "currency", "orders", "revenue"
    )
    return {
        (kind, day, status, currency): (count, Decimal(amount).quantize(Decimal("0.01")))
        for kind, day, status, currency, count, amount in rows
    }


def drift() -> list[str]:
    """Each difference between the figures kept and a rebuild from the orders."""
    kept, truth = stored(), computed()
    return [
        f"{kind} {day} {status} {currency}: kept {kept.get(key)}, orders say {truth.get(key)}"
        for key in sorted(set(kept) | set(truth))
        for kind, day, status, currency in [key]
        if kept.get(key) != truth.get(key)
    ]


def rebuild(order_model: Any = None, figure_model: Any = None) -> int:
    """Replace every figure by a rebuild from the orders; the number of rows."""
    from . import models

    figure_model = figure_model or models.OrderFigure
    truth = computed(order_model)
    with transaction.atomic():
        figure_model.objects.all().delete()
        figure_model.objects.bulk_create(
            figure_model(
                kind=kind, day=day, status=status, currency=currency, orders=count, revenue=amount
            )
            for (kind, day, status, currency), (count, amount) in truth.items()
        )
    return len(truth)


def remember(order: Order) -> None:
    """Before a delete: note what ``order``'s row counts for, read from the
    database when the instance was loaded without some of the fields (after
    the delete the row is gone)."""
    order._figures_as_saved = getattr(order, "_figures_as_saved", None) or in_database(order)


def forget(order: Order) -> None:
    """Take back a deleted order's contribution, as ``remember`` noted it."""
    apply(getattr(order, "_figures_as_saved", ()), ())
