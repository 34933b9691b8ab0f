from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The project itself: cross-cutting web concerns and demo data."""

    name = "console"
    verbose_name = "Console"
