"""Who acts: the type services take as ``actor``.

The shared kernel cannot import the accounts context (the user model), so it
names what it needs of one: who (``pk``, ``display_name`` as events keep it),
and what they may do (``is_superuser``, ``has_perm``). The accounts context's
``User`` is one; contexts type their services with ``apps.accounts.api.User``.
"""

from __future__ import annotations

from typing import Any, Protocol


class Actor(Protocol):
    @property
    def pk(self) -> Any: ...

    @property
    def display_name(self) -> str: ...

    is_superuser: bool

    def has_perm(self, perm: str, obj: Any = None) -> bool: ...
