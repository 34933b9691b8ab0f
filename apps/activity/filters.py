from __future__ import annotations

from typing import Any

import django_filters
from django import forms

from apps.core.web.filters import AutocompleteFilter, ConsoleFilterSet

from . import selectors
from .models import Event, EventQuerySet


def _choices_of(field: str) -> Any:
    # Callables: evaluated when the form is built, so new contexts and
    # event names appear without a restart.
    def choices() -> list[tuple[str, str]]:
        return selectors.distinct_values(field)

    return choices


class EventFilter(ConsoleFilterSet):
    search_placeholder = "Subject or reason"

    q = django_filters.CharFilter(method="search_events", label="Search")
    context = django_filters.ChoiceFilter(choices=_choices_of("context"), empty_label="Any context")
    name = django_filters.ChoiceFilter(
        choices=_choices_of("name"), empty_label="Any event", label="Event"
    )
    # By id; the picker asks /activity/actors.json (staff grow with the company).
    actor = AutocompleteFilter(
        queryset=selectors.staff_users(),
        empty_label="Anyone",
        autocomplete="activity:actors",
        label_from=lambda user: user.display_name,
    )
    occurred_from = django_filters.DateFilter(
        field_name="occurred_at",
        lookup_expr="date__gte",
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    occurred_to = django_filters.DateFilter(
        field_name="occurred_at",
        lookup_expr="date__lte",
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Event
        fields = ["q", "context", "name", "actor", "occurred_from", "occurred_to"]

    def search_events(self, queryset: EventQuerySet, name: str, value: str) -> EventQuerySet:
        return queryset.search(value)

    @property
    def qs(self) -> EventQuerySet:
        return super().qs.newest_first()
