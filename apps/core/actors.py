"""Who acts: the type services take as ``actor``.

The shared kernel cannot import the accounts context (the user model), so it
names what every staff user is: Django's ``AbstractUser`` (username, groups,
``is_superuser``, ``has_perm``). Contexts type their services with
``apps.accounts.api.User``, which is one.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser

Actor = AbstractUser
