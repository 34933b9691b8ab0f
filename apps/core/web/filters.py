"""The base of every list's filters: Bootstrap widgets and the Search box (UI.md)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms

from apps.core.text import MAX_SEARCH_LENGTH


class ConsoleFilterSet(django_filters.FilterSet):
    """Subclasses declare ``q`` (labelled "Search") and their filters."""

    search_placeholder = ""

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
