"""The base of every list's table and the columns they share.

django-tables2 declares the columns, sorts and paginates; ``ConsoleTable``
renders the page's rows itself, in one pass (``body_rows``), because
django-tables2's own row loop costs more than the page's SQL: for every cell
it builds an ``Accessor``, looks for a ``get_FOO_display`` through the
model's ``_meta``, recomputes the column's ``attrs`` (``computed_values``,
class merging) and inspects the render method's signature
(``call_with_appropriate``). Here all of that is worked out once per column
and each cell is one call. Cells render with ``format_html``, never a
template per cell (``TemplateColumn`` compiles and renders a template, with
every context processor, per cell).
"""

from __future__ import annotations

import html
import inspect
import re
from collections.abc import Callable, Sequence
from functools import lru_cache, partialmethod
from typing import Any
from urllib.parse import urlencode

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import dateformat, timezone
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

from apps.core.transitions import names_from_state

from .ui import status_pill


class SelectColumn(tables.Column):
    """The row's checkbox for bulk actions, labelled with the row's name (UI.md).

    ``data-actions`` lists the bulk actions this row's state allows, so the
    toolbar offers only those that apply to a ticked row (console.js). By
    default the state machine's transitions from the row's status; ``actions``
    (record → names) for a list whose actions are not transitions.
    """

    def __init__(
        self, *, actions: Callable[[Any], Sequence[str]] | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("verbose_name", "Select")
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("empty_values", ())
        super().__init__(**kwargs)
        self.actions = actions or _actions_from_state

    def render(self, record: Any) -> SafeString:
        # An f-string of escaped parts: format_html's per-call parsing was a
        # tenth of a list's rows (docs/performance.md).
        return mark_safe(  # noqa: S308  # every part is escaped
            '<input class="form-check-input" type="checkbox" name="ids" '
            f'value="{escaped(record.pk)}" form="bulk-form" aria-label="{escaped(record)}" '
            f'data-actions="{escaped(" ".join(self.actions(record)))}">'
        )


def _actions_from_state(record: Any) -> tuple[str, ...]:
    """The transitions a row's state allows: the same for every row of a
    class in a state, so worked out once per (class, state)."""
    return _names_in_state(type(record), record.status)  # type: ignore[arg-type]


@lru_cache(maxsize=256)
def _names_in_state(model: type[models.Model], state: Any) -> tuple[str, ...]:
    return tuple(names_from_state(model(status=state)))


class StatusColumn(tables.Column):
    """The status as text in an element with ``data-status`` (UI.md)."""

    def render(self, record: Any, value: Any) -> str:
        # Few statuses, many rows: each pill is built once per table.
        key = (record.status, display_of(record, "status"))
        pills = self.__dict__.setdefault("_pills", {})
        if key not in pills:
            pills[key] = status_pill(*key)
        return pills[key]


def display_of(record: Any, name: str) -> str:
    """``record.get_<name>_display()``, without Django's rebuilding of the
    choices' dictionary on every call (a model's own method is called)."""
    return _display_getter(type(record), name)(record)  # type: ignore[arg-type]


@lru_cache(maxsize=256)
def _display_getter(model: type[models.Model], name: str) -> Callable[[Any], str]:
    method = f"get_{name}_display"
    generated = isinstance(inspect.getattr_static(model, method, None), partialmethod)
    if not generated:  # the model's own display method
        return lambda record: getattr(record, method)()
    field = model._meta.get_field(name)
    choices = dict(make_hashable(field.flatchoices))  # type: ignore[union-attr]
    attname = field.attname  # type: ignore[union-attr]

    # As Model._get_FIELD_display, with the dictionary built once.
    def display(record: Any) -> str:
        value = getattr(record, attname)
        return force_str(choices.get(make_hashable(value), value), strings_only=True)

    return display


class TimestampColumn(tables.Column):
    """A local date and time. django-tables2's DateTimeColumn compiles a
    template for every cell; formatting directly is many times faster."""

    def __init__(self, *, format: str = "Y-m-d H:i", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.format = format
        self._pattern = _numeric_pattern(format)

    def render(self, value: Any) -> str:
        # The zone once per table, not a thread-local lookup per cell.
        zone = self.__dict__.get("_zone") or self.__dict__.setdefault(
            "_zone", timezone.get_current_timezone()
        )
        local = timezone.localtime(value, zone)
        if self._pattern is not None:
            return self._pattern.format(local)
        return dateformat.format(local, self.format)


# Date format characters that are zero-padded numbers (Django's date filter),
# as str.format fields: a format made of them alone needs no DateFormat object.
NUMERIC_FIELDS = {
    "Y": "{0.year:04d}",
    "m": "{0.month:02d}",
    "d": "{0.day:02d}",
    "H": "{0.hour:02d}",
    "i": "{0.minute:02d}",
    "s": "{0.second:02d}",
}


def _numeric_pattern(format: str) -> str | None:
    """``format`` as a str.format pattern, or None if it has other characters."""
    if re.search(r"[A-Za-z\\]", re.sub("[YmdHis]", "", format)):
        return None
    literal = format.replace("{", "{{").replace("}", "}}")
    return "".join(NUMERIC_FIELDS.get(char, char) for char in literal)


def escaped(value: Any) -> str:
    """``conditional_escape(value)`` as a str: markup marked safe as it is,
    anything else escaped. Django's own is wrapped by ``keep_lazy``, whose
    check of every argument for a lazy string cost more than the escaping
    over a page's cells (a lazy string here is simply made a str)."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


# What a render method may ask for by name (django-tables2's own set, less the
# per-row BoundRow, which this renderer does not build).
CELL_ARGUMENTS = frozenset({"value", "record", "column", "bound_column", "table"})

Cell = Callable[[Any], str]


class ConsoleTable(tables.Table):
    """A django-tables2 table whose rows render in one pass (see the module).

    The column definitions, ``render_<name>`` methods, ``linkify``,
    ``empty_values`` / ``default``, choice fields' display values and static
    ``attrs`` work as in django-tables2; callable ``attrs`` and
    ``row_attrs`` (per-record attributes) are not supported and are refused.
    """

    def body_rows(self) -> list[SafeString]:
        """This page's rows as ``<tr>`` markup, ready for the table template."""
        cells = [self._cell_renderer(bound) for bound in self.columns]
        # ``is not None``: an empty page is falsy (a Page is a sequence), and
        # self.rows would then run the list's query again without a LIMIT.
        page = getattr(self, "page", None)
        records = [row.record for row in (page.object_list if page is not None else self.rows)]
        # No "even"/"odd" row classes (django-tables2's): nothing styles them.
        rows = [
            "<tr>" + "".join([f"<td{attrs}>{cell(record)}</td>" for attrs, cell in cells]) + "</tr>"
            for record in records
        ]
        return [mark_safe(row) for row in rows]  # noqa: S308  # every cell is escaped above

    def head_row(self, query: Any) -> SafeString:
        """The header's ``<tr>``: each column's name, and for a sortable one
        a link that sorts by it (the list's ``query`` with the sort changed),
        as the table template wrote it with a template loop per column."""
        params = dict(query.lists())
        cells = []
        for column in self.columns:
            th = column.attrs["th"].as_html()
            attrs = f' {th} scope="col"' if th else ' scope="col"'
            ordered = column.is_ordered
            descending = ordered and column.order_by_alias.is_descending
            if ordered:
                attrs += f' aria-sort="{"descending" if descending else "ascending"}"'
            header = conditional_escape(column.header)
            if column.orderable:
                way = (" desc" if descending else " asc") if ordered else ""
                link = {**params, self.prefixed_order_by_field: column.order_by_alias.next}
                href = escape("?" + urlencode(link, doseq=True))
                content = f'<a class="table-sort{way}" href="{href}">{header}</a>'
            elif column.name == "select":
                content = f'<span class="visually-hidden">{header}</span>'
            else:
                content = str(header)
            cells.append(f"<th{attrs}>{content}</th>")
        return mark_safe("<tr>" + "".join(cells) + "</tr>")  # noqa: S308  # escaped above

    def _cell_renderer(self, bound: Any) -> tuple[str, Cell]:
        """The ``<td>`` attributes and a function record → escaped cell HTML."""
        if self.row_attrs or any(callable(v) for v in bound.column.attrs.get("td", {}).values()):
            raise TypeError(f"{type(self).__name__}: per-record attrs are not supported")
        td = bound.attrs["td"].as_html()
        attrs = f" {td}" if td else ""
        column = bound.column
        empty_values = column.empty_values
        default = bound.default
        value_of = self._value_getter(bound)
        render = bound.render
        wanted = set(inspect.signature(render).parameters) & CELL_ARGUMENTS
        fixed = {"column": column, "bound_column": bound, "table": self}
        link = _fast_link(bound) or bound.link

        if not empty_values and "value" not in wanted and not link:
            # Nothing reads the value (a render method of the record alone,
            # shown whatever the value): it is not looked up (a related
            # manager, say, built for nothing).
            def record_cell(record: Any) -> str:
                arguments = {"record": record, **fixed}
                return escaped(render(**{name: arguments[name] for name in wanted}))

            return attrs, record_cell

        def cell(record: Any) -> str:
            value = value_of(record)
            if value in empty_values:
                return escaped(default)
            arguments = {"value": value, "record": record, **fixed}
            content = render(**{name: arguments[name] for name in wanted})
            if link:
                content = link(content, record=record, value=value)
            return escaped(content)

        return attrs, cell

    def _value_getter(self, bound: Any) -> Callable[[Any], Any]:
        """How a cell's value is read: a choice field's display value, as
        django-tables2 does, else the accessor."""
        accessor = tables.A(bound.accessor)
        model = getattr(self._meta, "model", None)
        if model is not None and len(accessor.bits) == 1:
            try:
                field = model._meta.get_field(accessor)
            except FieldDoesNotExist:
                field = None
            if field is not None and getattr(field, "choices", None):
                return lambda record: display_of(record, str(accessor))

        bits = accessor.bits

        def resolve(record: Any) -> Any:
            # Accessor.resolve without its dictionary and index attempts (rows are
            # model instances); a field the queryset did not load still raises.
            current = record
            try:
                for bit in bits:
                    current = getattr(current, bit)
                    if callable(current) and not getattr(current, "do_not_call_in_templates", 0):
                        current = current()
                    if current is None:
                        break
            except (AttributeError, TypeError, ValueError, KeyError, IndexError):
                return None  # as django-tables2: what cannot be read renders empty
            return current

        return resolve


def _fast_link(bound: Any) -> Callable[..., str] | None:
    """``linkify=True`` without django-tables2's per-cell work (an Accessor,
    an AttributeDict, format_html): the same ``<a>``, the ``href`` from
    ``get_absolute_url()`` of the column's attribute of the record, else of
    the record. None for any other kind of link (a URL, reverse arguments,
    an accessor, computed attributes): django-tables2's own then."""
    link = bound.link
    if not isinstance(link, tables.columns.base.LinkTransform):
        return None
    attrs = link.attrs or {}
    if link.url or link.reverse_args or link.accessor is not None:
        return None
    if any(callable(value) for value in attrs.values()):
        return None
    static = tables.utils.AttributeDict(attrs).as_html()
    opening = f"<a {static} href=" if static else "<a href="
    name = bound.name

    def linked(content: Any, *, record: Any, value: Any) -> str:
        target = getattr(record, name, None)
        if callable(target) and not hasattr(target, "get_absolute_url"):
            target = None
        if not hasattr(target, "get_absolute_url"):
            target = record
        href = target.get_absolute_url()  # type: ignore[union-attr]
        if href is None:
            return content
        return mark_safe(f'{opening}"{escaped(href)}">{escaped(content)}</a>')  # noqa: S308

    return linked
