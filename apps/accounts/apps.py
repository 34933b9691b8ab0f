from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Staff users, their profiles and their roles."""

    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Receivers are connected here, once, not at import time of models.
        from . import receivers  # noqa: F401
