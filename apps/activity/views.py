"""The /activity/ page: every domain event, newest first, filterable."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from apps.core.http import filtered, page_or_fragment

from .filters import EventFilter
from .models import Event
from .tables import EventTable

PAGE_SIZE = 50


@require_GET
@permission_required("activity.view_event", raise_exception=True)
def event_list(request: HttpRequest) -> HttpResponse:
    filterset = EventFilter(request.GET, queryset=Event.objects.all())
    table = EventTable(filtered(filterset))
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    template = page_or_fragment(request, "activity/list.html", "results")
    return render(
        request, template, {"filter": filterset, "table": table, "list_url": "/activity/"}
    )
