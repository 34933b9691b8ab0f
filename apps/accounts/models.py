from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from knox.models import AbstractAuthToken


class User(AbstractUser):  # type: ignore[django-manager-missing]  # knox names auth_token_set
    """A console user. Custom from the first migration so it can grow safely."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def initial(self) -> str:
        """The avatar's letter: the first of ``display_name``, upper case."""
        return self.display_name[:1].upper()


class Profile(models.Model):
    """What the console keeps about a user beyond authentication."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    last_active = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Profile of {self.user}"


class ApiToken(AbstractAuthToken):
    """A personal API token: knox's (stored as a hash, with an expiry) with a name.

    Swapped in for knox's own model (``KNOX_TOKEN_MODEL``) so the name the
    user gave it travels with the token: the audit trail says "via API (name)"
    without another query.
    """

    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…)"
