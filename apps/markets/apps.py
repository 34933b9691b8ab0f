from django.apps import AppConfig


class MarketsConfig(AppConfig):
    """Markets: launched, policed and retired by market managers."""

    name = "apps.markets"
    label = "markets"
    verbose_name = "Markets"

    def ready(self) -> None:
        from . import receivers  # noqa: F401
