"""The automation API's adapter for markets: shape, then call a service or a selector.

Serializers validate types and shape responses; every rule is the services'.
Transitions are the ones ``services.TRANSITION_SERVICES`` registers, run by
``apps.core.web.rest.TransitionActions`` with the model's own inputs.
"""

from __future__ import annotations

from typing import Any

from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.api import User
from apps.core.transitions import transition_options
from apps.core.web.budgets import query_budget
from apps.core.web.rest import (
    ActionSerializer,
    StrictInput,
    TransitionActions,
    VersionedRetrieve,
    honouring_if_match,
    version_tag,
)

from . import selectors, services
from .filters import MarketFilter
from .models import Currency, Market


def _actor(request: Request) -> User:
    # The permission class admitted only signed-in staff.
    return request.user  # type: ignore[return-value]


class MarketSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Market
        fields = [
            "id", "slug", "name", "description", "currency", "status", "status_display",
            "suspension_reason", "created_at", "updated_at", "published_at", "suspended_at",
            "url",
        ]  # fmt: skip
        read_only_fields = fields


class MarketDetailSerializer(MarketSerializer):
    actions = serializers.SerializerMethodField()

    class Meta(MarketSerializer.Meta):
        fields = [*MarketSerializer.Meta.fields, "actions"]
        read_only_fields = fields

    def get_actions(self, market: Market) -> list[dict[str, Any]]:
        user = self.context["request"].user
        return ActionSerializer(transition_options(market, user), many=True).data  # type: ignore[return-value]


class MarketWriteSerializer(StrictInput):
    """The fields of the page's form; blank slug: made from the name (new) or kept;
    any other field is refused (400), not ignored."""

    name = serializers.CharField(required=False, allow_blank=True)
    slug = serializers.CharField(required=False, allow_blank=True)
    currency = serializers.ChoiceField(choices=Currency.choices, required=False)
    description = serializers.CharField(required=False, allow_blank=True)


# Budgets (console/tests/test_budgets.py walks each): the token and its user,
# a role user's two permission lookups, then the action's own — for a write the
# service's (locked row, event, the email's task) and the re-read.
@query_budget(
    list=6, retrieve=5, create=14, partial_update=12,
    publish=13, suspend=14, reinstate=14, archive=12,
)  # fmt: skip
class MarketViewSet(
    VersionedRetrieve,
    mixins.ListModelMixin,
    TransitionActions,
):
    """Markets by slug; create and edit as the page's form; the transitions as actions."""

    queryset = selectors.markets()
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    filterset_class = MarketFilter
    transition_model = Market
    transition_services = services.TRANSITION_SERVICES
    transition_id_argument = "market_id"
    action_permissions = {
        "create": "markets.add_market",
        "partial_update": "markets.change_market",
    }

    def get_queryset(self) -> Any:
        return selectors.markets().order_by("name", "pk")

    def get_serializer_class(self) -> Any:
        if self.action in ("create", "partial_update"):
            return MarketWriteSerializer
        if self.action == "list":
            return MarketSerializer
        return MarketDetailSerializer

    def _represent(self, market: Market, *, status_code: int = 200) -> Response:
        market = selectors.market_or_404(market.slug)
        data = MarketDetailSerializer(market, context=self.get_serializer_context()).data
        return Response(data, status=status_code, headers={"ETag": version_tag(market)})

    def create(self, request: Request) -> Response:
        """Create a Draft market (``create_market``, as the page's form)."""
        body = MarketWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields = {"name": "", "currency": Currency.EUR, **body.validated_data}
        market = services.create_market(actor=_actor(request), **fields)
        response = self._represent(market, status_code=status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(f"{market.slug}/")
        return response

    def partial_update(self, request: Request, slug: str) -> Response:
        """Change what the page's Edit form may change (``update_market``)."""
        market = self.get_object()
        body = MarketWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        changes = dict(body.validated_data)
        if not changes.get("slug"):
            changes.pop("slug", None)
        # The version read just now: an edit committed in between is a 409
        # (StaleEdit), never overwritten. With If-Match the client names the
        # version it read: compared on the locked row, a stale one is a 412.
        with honouring_if_match(
            request,
            market,
            self.get_object,
            lambda current: MarketDetailSerializer(current, context=self.get_serializer_context()),
        ):
            market = services.update_market(
                actor=_actor(request), market_id=market.pk, version=market.version, **changes
            )
        return self._represent(market)
