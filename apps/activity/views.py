"""The /activity/ page: every domain event, newest first, filterable; and
/activity/failed-work/: background work that failed or is being retried,
for superusers to retry or dismiss."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.web import StaffRequest
from apps.core import work
from apps.core.models import Job, JobStatus
from apps.core.web.budgets import query_budget
from apps.core.web.http import filtered, page_or_fragment, wants_fragment
from apps.core.web.lists import paginate

from . import selectors
from .filters import EventFilter
from .tables import EventTable

PAGE_SIZE = 50
FAILED_WORK_ACTIONS = {"retry": work.retry_job, "dismiss": work.dismiss_job}


# Query budget: session, user, permissions (2), page of events (no count:
# CountlessPaginator), the context and event choices (2; the context's are read again
# for each use of the form: 4 on a filtered page), the chosen actor by id (the actor
# filter is an autocomplete: no staff listed).
@query_budget(9)
@require_GET
@permission_required("activity.view_event", raise_exception=True)
def event_list(request: StaffRequest) -> HttpResponse:
    filterset = EventFilter(request.GET, queryset=selectors.events())
    table = EventTable(filtered(filterset))
    paginate(request, table, per_page=PAGE_SIZE)
    table.filterset, table.list_url = filterset, reverse("activity:list")  # the empty state's
    template = page_or_fragment(request, "activity/list.html", "results")
    context = {"filter": filterset, "table": table, "list_url": table.list_url}
    return render(request, template, context)


ACTOR_CHOICES_LIMIT = 20
ACTOR_QUERY_LENGTH = 100  # longer text is cut, never an error


# Query budget: session, user, permissions (2), the matching staff.
@query_budget(5)
@require_GET
@permission_required("activity.view_event", raise_exception=True)
def actor_choices(request: StaffRequest) -> JsonResponse:
    """Staff matching ``q`` for the Activity list's **By** filter, as JSON
    ``{"results": [{"value": id, "label": display name}]}``, at most 20.

    Not cached: it is one indexed query over the staff, who are few, and a
    rename or a new colleague must show at once."""
    query = request.GET.get("q", "")[:ACTOR_QUERY_LENGTH]
    rows = selectors.staff_user_choices(query, limit=ACTOR_CHOICES_LIMIT)
    results = [
        {"value": pk, "label": f"{first} {last}".strip() or username}
        for pk, username, first, last in rows
    ]
    return JsonResponse({"results": results})


def _superuser_only(request: StaffRequest) -> None:
    if not request.user.is_superuser:
        raise PermissionDenied("Only superusers may see and retry failed background work.")


def _failed_work_context() -> dict[str, object]:
    return {"jobs": selectors.work_needing_attention(), "limit": selectors.FAILED_WORK_LIMIT}


def _say_how_the_retry_went(request: StaffRequest, job: Job) -> None:
    # The immediate backend (dev, make run) has already run it by now.
    job.refresh_from_db()
    if job.status == JobStatus.SUCCEEDED:
        messages.success(request, f"{job}: done.")
    elif job.status == JobStatus.FAILED:
        messages.error(request, f"{job} failed again: {job.last_error}")
    elif job.status == JobStatus.RETRYING:
        messages.warning(request, f"{job} failed again; it will be retried: {job.last_error}")
    else:
        messages.success(request, f"{job} queued to run now.")


# Query budget: session, user, failed jobs (superusers only: no permission lookups).
@query_budget(3)
@require_GET
def failed_work(request: StaffRequest) -> HttpResponse:
    _superuser_only(request)
    template = page_or_fragment(request, "activity/failed_work.html", "jobs")
    return render(request, template, _failed_work_context())


@require_POST
def failed_work_action(request: StaffRequest, pk: int, action: str) -> HttpResponse:
    service = FAILED_WORK_ACTIONS.get(action)
    if service is None:
        raise Http404("No such action.")
    _superuser_only(request)
    job = service(actor=request.user, job_id=pk)
    if action == "dismiss":
        messages.success(request, f"{job} dismissed.")
    else:
        _say_how_the_retry_went(request, job)
    if wants_fragment(request):
        return render(request, "activity/failed_work.html#jobs", _failed_work_context())
    return redirect("activity:failed_work")
