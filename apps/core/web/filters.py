"""The base of every list's filters: Bootstrap widgets and the Search box (UI.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django import forms
from django.forms.renderers import Jinja2
from django.http import QueryDict
from django.urls import reverse
from django_filters.fields import ModelChoiceField

from apps.core.text import MAX_SEARCH_LENGTH

# Parameters of a list's URL that are not filters: kept by a chip, not shown as one.
NOT_FILTERS = ("sort", "page", "per_page")


class ChosenModelChoiceField(ModelChoiceField):
    """A model choice that remembers the row it validated (one query by key),
    so its widget and chip name it without listing the choices."""

    chosen: Any = None

    def __init__(self, *args: Any, label_from: Callable[[Any], str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.label_from = label_from

    def label_from_instance(self, obj: Any) -> str:
        return self.label_from(obj) if self.label_from else super().label_from_instance(obj)

    def to_python(self, value: Any) -> Any:
        self.chosen = super().to_python(value)
        return self.chosen


class AutocompleteSelect(forms.Select):
    """A ``<select>`` holding only its empty option and the chosen one.

    The choices grow with the data (200 or 5,000 markets), so the page never
    lists them: ``static/console/autocomplete.js`` turns the select into a
    tom-select combobox that asks ``url`` (JSON ``{"results": [{value_field,
    "label"}]}``) for the rows matching what is typed. Without JavaScript it
    is a select with "Any …" and the chosen row (the URL still takes any
    value). The chosen row is the one the form validated: no second query.
    """

    def __init__(self, url_name: str, *, value_field: str = "value", attrs: Any = None) -> None:
        super().__init__(attrs)
        self.url_name = url_name
        self.value_field = value_field

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {"data-autocomplete": reverse(self.url_name), "data-value-field": self.value_field}
        )
        return context

    def optgroups(self, name: str, value: Any, attrs: Any = None) -> Any:
        # A ModelChoiceIterator, which knows its field (AutocompleteFilter's).
        field: Any = self.choices.field  # type: ignore[attr-defined]
        options = [self.create_option(name, "", field.empty_label or "", not any(value), 0)]
        chosen = getattr(field, "chosen", None)
        raw = next((str(v) for v in value if v not in ("", None)), "")
        if chosen is not None and raw and str(field.prepare_value(chosen)) == raw:
            options.append(
                self.create_option(name, raw, field.label_from_instance(chosen), True, 1)
            )
        return [(None, options, 0)]


class AutocompleteFilter(django_filters.ModelChoiceFilter):
    """A filter on a row of a table that grows with the data (a market, an
    actor): validated by one query by key, offered by an autocomplete.

    ``autocomplete`` names the JSON view that lists matching rows;
    ``value_field`` is the key of a result that is this filter's URL value
    (``to_field_name``, or the primary key)."""

    field_class = ChosenModelChoiceField

    def __init__(self, *args: Any, autocomplete: str, value_field: str = "value", **kwargs: Any):
        kwargs.setdefault("widget", AutocompleteSelect(autocomplete, value_field=value_field))
        super().__init__(*args, **kwargs)


# The filters' widgets render through Jinja2, with the widget templates Django
# ships for it (django/forms/jinja2/): the same markup as the Django-template
# ones, in a fraction of the time. A list's form renders about twenty widget
# templates a request (each select, each option, each attribute loop an
# ``include``), the largest part of the page's rendering after the rows
# (docs/performance.md). One instance: its engine and compiled templates are
# kept for the process. Only these forms: the admin's widgets have templates
# for Django's engine alone.
WIDGET_RENDERER = Jinja2()


class ConsoleFilterSet(django_filters.FilterSet):
    """Subclasses declare ``q`` (labelled "Search") and their filters."""

    search_placeholder = ""
    # The filters shown inline next to Search; the rest sit under "More
    # filters". Empty: the first three fields (Search and two more).
    main_filters: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.form.renderer = WIDGET_RENDERER
        for field in self.form.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault("class", "form-select" if is_select else "form-control")
        if "q" in self.form.fields:
            self.form.fields["q"].widget.attrs.update(
                {
                    "type": "search",
                    "data-search-input": "",
                    # "/" focuses the box (@github/hotkey focuses a field it is bound to).
                    "data-hotkey": "/",
                    "data-hotkey-label": "Focus Search",
                    "autocomplete": "off",
                    # Longer searches are cut anyway (apps.core.text.search_words).
                    "maxlength": str(MAX_SEARCH_LENGTH),
                    "placeholder": self.search_placeholder,
                }
            )

    def _is_main(self, name: str) -> bool:
        return name in (self.main_filters or list(self.form.fields)[:3])

    @property
    def main_fields(self) -> list[forms.BoundField]:
        return [field for field in self.form if self._is_main(field.name)]

    @property
    def more_fields(self) -> list[forms.BoundField]:
        return [field for field in self.form if not self._is_main(field.name)]

    def _query_without(self, *names: str) -> str:
        """This list's query string without ``names``, the page, and empty values."""
        query = QueryDict(mutable=True)
        for name, values in self.data.lists():
            if name in names or name == "page":
                continue
            kept = [value for value in values if value != ""]
            if kept:
                query.setlist(name, kept)
        return query.urlencode()

    @property
    def chips(self) -> list[dict[str, str]]:
        """The filters in use, each with what it shows and the query without it.

        Reads what validating the form already fetched (a chosen market is the
        cleaned value): no query.
        """
        cleaned = getattr(self.form, "cleaned_data", {})
        chips = []
        for bound in self.form:
            raw = self.data.get(bound.name, "")
            if raw == "":
                continue
            field = bound.field
            value: object = cleaned.get(bound.name) or raw
            if isinstance(field, forms.ModelChoiceField) and cleaned.get(bound.name):
                value = field.label_from_instance(cleaned[bound.name])
            # A model choice's label is its cleaned object; listing its choices would query.
            is_choice = isinstance(field, forms.ChoiceField)
            if is_choice and not isinstance(field, forms.ModelChoiceField):
                value = {str(key): label for key, label in field.choices}.get(raw, raw)
            chips.append(
                {
                    "name": bound.name,
                    "label": str(bound.label),
                    "value": str(value),
                    "query": self._query_without(bound.name),
                }
            )
        return chips

    @property
    def clear_all_query(self) -> str:
        """The query with every filter removed: only the sort stays."""
        return self._query_without(*(name for name in self.data if name not in NOT_FILTERS))
