from django.apps import AppConfig


class OrdersConfig(AppConfig):
    """Orders: carts, orders placed from them, payments, fulfilment and refunds."""

    name = "apps.orders"
    label = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from . import receivers  # noqa: F401
