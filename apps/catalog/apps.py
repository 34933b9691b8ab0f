from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """Catalog: categories, tags and the products each market sells, with their stock."""

    name = "apps.catalog"
    label = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        from . import receivers  # noqa: F401
