"""The automation API's adapter for the activity timeline: events, read only."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from apps.core.web.budgets import query_budget
from apps.core.web.rest import ConsoleViewSet, cursor_pagination

from . import selectors
from .filters import EventFilter
from .models import Event


class EventSerializer(serializers.ModelSerializer):
    # The name as written when it happened (the audit keeps it; users are never deleted).
    actor = serializers.CharField(source="actor_name", read_only=True)

    class Meta:
        model = Event
        fields = [
            "id", "context", "name", "aggregate_type", "aggregate_id", "aggregate_label",
            "aggregate_url", "actor", "via", "from_state", "to_state", "reason", "payload",
            "occurred_at",
        ]  # fmt: skip
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("aggregate_type", str, description="order, market, product…"),
            OpenApiParameter("aggregate_id", str, description="With aggregate_type: one timeline."),
        ]
    )
)
# Budgets (console/tests/test_budgets.py walks each): the token and its user, a
# role user's two permission lookups, the events (a cursor page: no count).
@query_budget(list=6, retrieve=5)
class EventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ConsoleViewSet):
    """The timeline across contexts, newest first, with the Activity page's filters;
    ``aggregate_type`` and ``aggregate_id`` narrow it to one order or market."""

    queryset = selectors.events()
    serializer_class = EventSerializer
    filterset_class = EventFilter
    pagination_class = cursor_pagination("-occurred_at", "-pk")
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> Any:
        events = selectors.events()
        params = self.request.query_params
        if params.get("aggregate_type") and params.get("aggregate_id"):
            events = events.for_aggregate(params["aggregate_type"], params["aggregate_id"])
        return events
