"""The base of every list's filters: Bootstrap widgets and the Search box (UI.md)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms


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
