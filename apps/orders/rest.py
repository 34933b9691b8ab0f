"""The automation API's adapter for orders and carts: shape, then call a service or a selector.

Serializers validate types and shape responses; every rule is the services'.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.api import User
from apps.core.transitions import transition_options
from apps.core.web.budgets import query_budget
from apps.core.web.rest import (
    ActionSerializer,
    ConsoleViewSet,
    TransitionActions,
    VersionedRetrieve,
    cursor_pagination,
    version_tag,
)

from . import selectors, services
from .filters import OrderFilter
from .models import Cart, Order, OrderLine, Payment


class MarketSummarySerializer(serializers.Serializer):
    """The market an order or cart belongs to, as the markets API names it."""

    slug = serializers.CharField()
    name = serializers.CharField()
    currency = serializers.CharField()
    status_display = serializers.CharField()
    is_open = serializers.BooleanField()


def _actor(request: Request) -> User:
    # The permission class admitted only signed-in staff.
    return request.user  # type: ignore[return-value]


class OrderSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    market = MarketSummarySerializer(source="market_info", read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Order
        fields = [
            "id", "number", "status", "status_display", "market", "customer_name",
            "customer_email", "total", "currency", "tracking_number", "refund_reason",
            "placed_at", "paid_at", "shipped_at", "delivered_at", "cancelled_at", "refunded_at",
            "updated_at", "url",
        ]  # fmt: skip
        read_only_fields = fields


class OrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = ["product_name", "sku", "unit_price", "quantity", "line_total"]
        read_only_fields = fields

    line_total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = [
            "kind", "status", "amount", "currency", "gateway", "gateway_reference",
            "failure_message", "reason", "created_at", "completed_at",
        ]  # fmt: skip
        read_only_fields = fields


class OrderDetailSerializer(OrderSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "lines", "payments", "actions"]
        read_only_fields = fields

    def get_actions(self, order: Order) -> list[dict[str, Any]]:
        user = self.context["request"].user
        return ActionSerializer(transition_options(order, user), many=True).data  # type: ignore[return-value]


# Budgets (console/tests/test_budgets.py walks each): the token and its user,
# a role user's two permission lookups, then the action's own — for a write the
# service's (locked row, payment, events, the email's task) and the re-read.
@query_budget(list=6, retrieve=7, charge=29, cancel=22, ship=22, mark_delivered=18, refund=31)
class OrderViewSet(VersionedRetrieve, mixins.ListModelMixin, TransitionActions):
    """Orders by number (with lines and payments); the transitions as actions."""

    queryset = selectors.orders_for_list()
    lookup_field = "number"
    lookup_value_regex = "[^/]+"
    filterset_class = OrderFilter
    pagination_class = cursor_pagination("-placed_at", "-pk")
    transition_model = Order
    transition_services = services.TRANSITION_SERVICES
    transition_id_argument = "order_id"

    def get_queryset(self) -> Any:
        return selectors.orders_for_list()

    def get_object(self) -> Order:
        order = selectors.order_for_page(self.kwargs["number"])
        self.check_object_permissions(self.request, order)
        return order

    def get_serializer_class(self) -> Any:
        return OrderSerializer if self.action == "list" else OrderDetailSerializer


class CartSerializer(serializers.ModelSerializer):
    market = MarketSummarySerializer(source="market_info", read_only=True)
    item_count = serializers.IntegerField(read_only=True)
    total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = Cart
        fields = [
            "id", "market", "customer_name", "customer_email", "item_count", "total",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class CartLineSerializer(serializers.Serializer):
    product_name = serializers.CharField()
    product_sku = serializers.CharField()
    product_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    product_active = serializers.BooleanField()
    product_stock = serializers.IntegerField()
    quantity = serializers.IntegerField()
    line_total = serializers.DecimalField(max_digits=14, decimal_places=2)


class CartDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="cart.pk")
    market = MarketSummarySerializer(source="cart.market_info")
    customer_name = serializers.CharField(source="cart.customer_name")
    customer_email = serializers.CharField(source="cart.customer_email")
    items = CartLineSerializer(many=True)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)


# Budgets: as the orders'; placing is the service's queries and the order re-read.
@query_budget(list=6, retrieve=6, place=31)
class CartViewSet(mixins.ListModelMixin, ConsoleViewSet):
    """Open carts; staff place an order from one, as on the cart's page."""

    queryset = selectors.carts_for_list()
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> Any:
        return selectors.carts_for_list().order_by("-updated_at", "-pk")

    def get_serializer_class(self) -> Any:
        return CartSerializer

    @extend_schema(responses=CartDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(CartDetailSerializer(selectors.cart_detail(int(pk))).data)

    @extend_schema(
        request=None,
        responses={201: OpenApiResponse(OrderDetailSerializer, description="The order placed.")},
    )
    @action(detail=True, methods=["post"])
    def place(self, request: Request, pk: str) -> Response:
        """Place an order from the cart (``create_order_from_cart``, as the page's button)."""
        cart = selectors.cart_or_404(int(pk))
        order = services.create_order_from_cart(actor=_actor(request), cart_id=cart.pk)
        order = selectors.order_for_page(order.number)
        data = OrderDetailSerializer(order, context=self.get_serializer_context()).data
        headers = {
            "ETag": version_tag(order),
            "Location": request.build_absolute_uri(f"/api/v1/orders/{order.number}/"),
        }
        return Response(data, status=status.HTTP_201_CREATED, headers=headers)
