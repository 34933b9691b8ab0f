"""What every list page's view assembles: filters, table, bulk actions, sidebar."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from math import ceil
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from django.core.paginator import EmptyPage, Page, PageNotAnInteger
from django.db.models import ForeignKey, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.db.models.expressions import Col, RawSQL
from django.db.models.sql.datastructures import Join
from django.db.models.sql.query import Query
from django.db.models.sql.where import ExtraWhere
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django_tables2 import LazyPaginator, RequestConfig, Table
from django_tables2.rows import BoundRows

from apps.core.cache import cache_version
from apps.core.models import SavedView

from .http import filtered

PAGE_SIZE = 25
# What ``?per_page=`` may ask for; anything else (``-1``, ``100000000``, a
# word) falls back to the list's own page size, never an error or a whole table.
PER_PAGE_CHOICES = (25, 50, 100)

# (key, label, query string, count): one link of a list's sidebar.
SidebarRow = tuple[str, str, str, int]


def clean_query(query: Any) -> str:
    """A list's query string as a saved view keeps it: no empty values, no page."""
    kept = [
        (name, value)
        for name, value in query.items()
        if value != "" and name not in ("page", "confirm")
    ]
    return urlencode(sorted(kept))


def list_context(
    request: HttpRequest,
    *,
    filterset: Any,
    table_class: type[Table],
    bulk_actions: dict[str, tuple[str, str]],
    cache_namespace: str,
    sidebar_rows: Callable[[], list[SidebarRow]],
    page_size: int = PAGE_SIZE,
    bulk_confirmations: dict[str, str] | None = None,
    sidebar_keys: tuple[str, ...] = ("status",),
    saved_views: str = "",
    **extra: Any,
) -> dict[str, Any]:
    """``bulk_actions`` maps action → (label, permission); the user sees only
    those they may run, and no checkboxes when there are none.
    ``bulk_confirmations`` maps an action that cannot be undone to the question
    its button asks first (``{count}`` is the number of rows ticked)."""
    confirmations = bulk_confirmations or {}
    allowed = [
        (action, label, confirmations.get(action, ""))
        for action, (label, permission) in bulk_actions.items()
        if request.user.has_perm(permission)
    ]
    table = table_class(filtered(filterset), exclude=() if allowed else ("select",))
    paginate(request, table, per_page=page_size)
    # For the empty state: why the table is empty and how to clear the filters.
    table.filterset = filterset
    table.list_url = extra.get("list_url", "")
    selected = _selected(request.GET, sidebar_keys)
    return {
        "filter": filterset,
        "table": table,
        "bulk_actions": allowed,
        "sidebar_namespace": cache_namespace,
        "sidebar_version": cache_version(cache_namespace),
        # The sidebar link whose query is this (e.g. "status=pending") is the
        # current one; part of the sidebar's cache key.
        "sidebar_selected": selected,
        # Whether an htmx swap resends the sidebar (out of band).
        "sidebar_changed": sidebar_changed(request, selected, sidebar_keys),
        # The user's and the shared saved views of this list (one query, per user).
        "saved_views_list": saved_views,
        "saved_views": SimpleLazyObject(
            lambda: list(SavedView.objects.visible_to(request.user, saved_views))
        ),
        "current_query": clean_query(request.GET),
        # Counted only when the cached sidebar is missing.
        "sidebar_rows": SimpleLazyObject(sidebar_rows),
        **extra,
    }


def _selected(query: Any, keys: tuple[str, ...]) -> str:
    return urlencode([(key, query[key]) for key in keys if query.get(key)])


def sidebar_changed(request: HttpRequest, selected: str, keys: tuple[str, ...]) -> bool:
    """Whether the sidebar the browser shows is out of date after this request.

    Its counts are of every row, whatever the filters: they change only with a
    write (a bulk action, a POST), and the link it marks only when the status
    filter does. A filter, sort or page swap (a GET) otherwise leaves it as
    it is, so the partial need not resend it: htmx says which page the browser
    shows (``HX-Current-URL``).
    """
    if request.method != "GET":
        return True
    shown = getattr(getattr(request, "htmx", None), "current_url", None)
    if not shown:
        return True
    try:
        shown_query = urlsplit(shown).query
    except ValueError:  # a forged header ("http://[", an unclosed IPv6 host)
        return True
    query = {key: values[0] for key, values in parse_qs(shown_query).items()}
    return _selected(query, keys) != selected


class CountlessPaginator(LazyPaginator):
    """Pages of a list without ``COUNT(*)``: a page fetches ``per_page + 1``
    rows, the extra one only saying whether there is a next page.

    Counting every matching row on every request was the largest part of a
    search's cost at 100,000 orders (the whole table, twice: count and page).
    The total is known, for free, on the last page (``count``; else ``None``);
    the sidebar's counts say how many there are in each status. A page past
    the end (an old link) is the last page: only then are the rows counted.
    """

    # The largest OFFSET a database takes (SQLite: a signed 64-bit integer).
    MAX_OFFSET = 2**62

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._known_count: int | None = None
        rows = vars(self)["object_list"]  # set by Paginator.__init__
        if isinstance(rows, BoundRows):
            self.object_list = KeyedRows(rows)

    def page(self, number: Any) -> Page:
        try:
            number = self.validate_number(number)
        except (EmptyPage, PageNotAnInteger):
            number = 1  # 0, -1, not a number: the first page
        if (number - 1) * self.per_page > self.MAX_OFFSET:
            return self._last_page()
        try:
            page = self._page(number)
        except EmptyPage:
            return self._last_page()
        return page

    def _page(self, number: int) -> Page:
        page = super().page(number)
        if self.is_last_page(number):
            self._known_count = (number - 1) * self.per_page + len(page.object_list)
        return page

    def _last_page(self) -> Page:
        count = len(self.object_list)  # the one COUNT(*): a page past the end
        return self._page(max(1, ceil(count / self.per_page)))

    @property
    def count(self) -> int | None:
        """How many rows in all, when this page is the last one; else ``None``."""
        return self._known_count


class KeyedRows:
    """A table's rows whose pages past the first are read in two steps, in
    one query: the page's primary keys first (an ``OFFSET`` over an index
    alone), then those rows in full (``WHERE pk IN (…)``).

    With ``OFFSET 12475`` the database otherwise builds every skipped row —
    reads it from the table and joins its market — only to throw it away:
    page 500 of the orders took 24 ms of SQLite, the keys alone 0.2 ms.
    """

    def __init__(self, rows: BoundRows) -> None:
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, key: Any) -> Any:
        queryset = getattr(self.rows.data, "data", None)
        if isinstance(key, slice) and key.start and isinstance(queryset, QuerySet):
            keys = page_keys(queryset)[key]
            return BoundRows(
                data=queryset.filter(pk__in=keys),  # in the queryset's order
                table=self.rows.table,
                pinned_data=self.rows.pinned_data,
            )
        return self.rows[key]


def page_keys(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The primary keys of ``queryset``'s rows, in its order, without the
    joins only its annotations need.

    A list's rows carry their market's name, slug… (``with_market_details``):
    an inner join per row. The keys of a page need it only when the sort or
    a filter reads the market. An annotation is left out when it is a column
    of a table joined straight from this one along a foreign key that is
    never null (so the join neither drops nor repeats a row), and neither
    the ordering (``market_name__lower`` too), the ``WHERE`` clause nor an
    annotation kept reads it, through a subquery either; anything else (an
    expression in the ordering, DISTINCT, GROUP BY, extra) keeps the
    queryset as it is.
    """
    keys = queryset.values("pk")
    query = keys.query
    if query.distinct or query.combinator or query.extra or query.group_by is not None:
        return keys
    names = [name for name in query.order_by if isinstance(name, str)]
    if len(names) != len(query.order_by):  # an expression: what it reads is not looked at
        return keys
    # An ordering's first name: ``market_name__lower`` reads ``market_name``.
    ordered = {name.lstrip("-").split(LOOKUP_SEP, 1)[0] for name in names}
    base = query.get_initial_alias()
    removable = {
        name: annotation
        for name, annotation in query.annotations.items()
        if name not in ordered and isinstance(annotation, Col)
    }
    # What the WHERE clause and the annotations kept read, subqueries included:
    # a subquery's OuterRef to a joined column holds no reference to the
    # join, which would otherwise be dropped under it.
    kept = [a for name, a in query.annotations.items() if name not in removable]
    read = set()
    for node in _expressions([query.where, *kept]):
        if isinstance(node, RawSQL | ExtraWhere):  # SQL text: what it reads is unknown
            return keys
        if isinstance(node, Col):
            read.add(node.alias)
    for name, annotation in removable.items():
        join = query.alias_map.get(annotation.alias)
        if (
            not isinstance(join, Join)
            or annotation.alias in read
            or join.parent_alias != base
            or join.nullable
            or not isinstance(join.join_field, ForeignKey)
        ):
            continue
        del query.annotations[name]
        query.unref_alias(annotation.alias)
    return keys


def _expressions(node: Any) -> Iterator[Any]:
    """``node`` and every expression under it (a WHERE clause's lookups and
    theirs, a subquery's clauses)."""
    yield node
    children: Any
    if isinstance(node, list):
        children = node
    elif isinstance(node, Query):  # a subquery (Exists, Subquery, pk__in=…)
        children = [node.where, *node.annotations.values()]
    else:
        children = getattr(node, "children", None)
    if children is None and hasattr(node, "get_source_expressions"):
        children = node.get_source_expressions()
    for child in children or ():
        if child is not None:
            yield from _expressions(child)


def tie_broken(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """``queryset`` with its ordering ending with the primary key.

    Rows whose sort values tie (two orders placed in the same second, thirty
    products at the same price) would otherwise come back in whatever order
    the database likes, and could repeat or be skipped from one page to the
    next. The key goes the way of the first sort field, so an index on
    ``(field, id)`` serves the whole ``ORDER BY`` in one direction.
    """
    query = queryset.query
    default = queryset.model._meta.ordering if query.default_ordering else ()
    ordering = list(query.order_by or default)
    pk_names = {"pk", queryset.model._meta.pk.name}
    last = ordering[-1] if ordering else None
    if isinstance(last, str) and last.lstrip("-") in pk_names:
        return queryset
    first = ordering[0] if ordering else None
    descending = isinstance(first, str) and first.startswith("-")
    return queryset.order_by(*ordering, "-pk" if descending else "pk")


def sort(request: HttpRequest, table: Table) -> None:
    """Sort ``table`` from the URL (``?sort=``), ending with the primary key."""
    RequestConfig(request, paginate=False).configure(table)
    if isinstance(getattr(table.data, "data", None), QuerySet):
        table.data.data = tie_broken(table.data.data)


def paginate(request: HttpRequest, table: Table, *, per_page: int = PAGE_SIZE) -> None:
    """Sort and paginate ``table`` from the URL, within bounds (every list uses this).

    ``per_page`` from the URL counts only when it is one of ``PER_PAGE_CHOICES``
    (else ``per_page`` here, the list's default). An empty ``sort=`` (an old
    link, a form sent without JavaScript) means the table's default sort, not
    none at all: the sort in force is always marked. Every sort ends with the
    primary key (``tie_broken``). A ``page`` that is not a number, or below 1,
    shows the first page, one past the end the last; an unknown ``sort``
    column is ignored. Pages are counted lazily (``CountlessPaginator``).
    """
    asked = request.GET.get("per_page")
    bad_per_page = asked is not None and asked not in {str(c) for c in PER_PAGE_CHOICES}
    empty_sort = "sort" in request.GET and not request.GET.get("sort")
    if bad_per_page or empty_sort:
        # django-tables2 reads ``per_page`` and ``sort`` from request.GET
        # itself, and the pagination links copy the query: drop them for both.
        query = request.GET.copy()
        if bad_per_page:
            del query["per_page"]
        if empty_sort:
            del query["sort"]
        query._mutable = False
        request.GET = query  # type: ignore[assignment]  # immutable again, as Django's
    sort(request, table)
    if not bad_per_page and asked:
        per_page = int(asked)
    try:
        number = int(request.GET.get(table.prefixed_page_field, 1))
    except ValueError:  # not a number, or more digits than Python converts
        number = 1
    table.paginate(paginator_class=CountlessPaginator, per_page=per_page, page=number)
