"""The base of every list's filters: Bootstrap widgets and the Search box (UI.md)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.http import QueryDict

from apps.core.text import MAX_SEARCH_LENGTH

# Parameters of a list's URL that are not filters: kept by a chip, not shown as one.
NOT_FILTERS = ("sort", "page", "per_page")


class ConsoleFilterSet(django_filters.FilterSet):
    """Subclasses declare ``q`` (labelled "Search") and their filters."""

    search_placeholder = ""
    # The filters shown inline next to Search; the rest sit under "More
    # filters". Empty: the first three fields (Search and two more).
    main_filters: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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
