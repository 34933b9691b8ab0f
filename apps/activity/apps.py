from django.apps import AppConfig


class ActivityConfig(AppConfig):
    """The audit timeline: one Event row per domain event, across contexts."""

    name = "apps.activity"
    label = "activity"
    verbose_name = "Activity"

    def ready(self) -> None:
        from . import receivers  # noqa: F401
