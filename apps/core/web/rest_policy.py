"""What ``REST_FRAMEWORK`` settings name: who may call the API, how often, how results page.

Apart from ``apps.core.web.rest`` because DRF reads these while its own
views module is imported, which ``rest`` imports.
"""

from __future__ import annotations

from base64 import b64decode, b64encode
from datetime import UTC, datetime
from typing import Any
from urllib import parse

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from rest_framework import exceptions, pagination, parsers, permissions, throttling
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

# --- Who may: staff, their model permissions, per-token throttling ------------------


class StaffModelPermissions(permissions.BasePermission):
    """Exactly the pages' rule: a signed-in, active staff member with the model's
    view permission; a write also needs what the page's view demands
    (``action_permissions``). Everything else is the services' own checks."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            raise exceptions.NotAuthenticated()
        if not (user.is_active and user.is_staff):
            raise exceptions.PermissionDenied("This console is for staff only.")
        required = []
        queryset = getattr(view, "queryset", None)
        if queryset is not None:
            meta = queryset.model._meta
            required.append(f"{meta.app_label}.view_{meta.model_name}")
        demanded = getattr(view, "action_permissions", {}).get(getattr(view, "action", None))
        if demanded:
            required.append(demanded)
        return user.has_perms(required)


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """Requests per token (``API_RATE``); a session counts as its user, anything else per IP."""

    scope = "api"

    def get_cache_key(self, request: Request, view: Any) -> str:
        token = request.auth
        digest = getattr(token, "digest", None)
        if digest:
            ident = f"token:{digest[:32]}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


# --- Request bodies --------------------------------------------------------------


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with every body it cannot read a 400 problem.

    DRF turns a ``ValueError`` into ``ParseError`` but not a ``RecursionError``:
    a body nested a few thousand arrays deep would be a 500.
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except (RecursionError, ValueError) as error:
            raise exceptions.ParseError(f"JSON parse error - {type(error).__name__}") from None


# --- Pages of results -----------------------------------------------------------------


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


class KeysetCursorPagination(pagination.CursorPagination):
    """Cursor pages on a real keyset: (timestamp, pk), both in the cursor.

    DRF's own ``CursorPagination`` positions on the first ordering field only
    and steps over rows sharing it by an offset capped at 1,000: past that
    many rows with one timestamp it loops. Here a position is the last row's
    timestamp *and* primary key, and the next page is the rows strictly
    beyond it (``ts < p or (ts = p and pk < id)`` when descending): every row
    once, however many share a timestamp, and one indexed range scan a page.

    The cursor (opaque, base64) is ``r`` (1: the page before), ``p`` (the
    timestamp, ISO 8601, compared in UTC whatever its offset) and ``i`` (the
    pk); one that does not parse, or whose instant is outside years 1 to 9999 in
    UTC, is a 404 problem "Invalid cursor", never a 500.
    """

    ordering: tuple[str, str] = ("-created", "-pk")
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        self.request = request
        self.link_base = request.build_absolute_uri()
        self.page_size = self.get_page_size(request) or type(self).page_size
        timestamp, _ = self.ordering
        self.descending = timestamp.startswith("-")
        self.field = timestamp.lstrip("-")
        self.model = queryset.model
        reverse, position = self._decode(request)
        # Walking back (``previous``) reads the other way, then turns the page round.
        forward = self.descending != reverse
        order = (f"-{self.field}", "-pk") if forward else (self.field, "pk")
        rows = queryset.order_by(*order)
        if position is not None:
            stamp, pk = position
            op = "lt" if forward else "gt"
            rows = rows.filter(
                Q(**{f"{self.field}__{op}": stamp}) | Q(**{self.field: stamp, f"pk__{op}": pk})
            )
        page = list(rows[: self.page_size + 1])
        more = len(page) > self.page_size
        page = page[: self.page_size]
        if reverse:
            page.reverse()
            self.has_next, self.has_previous = position is not None, more
        else:
            self.has_next, self.has_previous = more, position is not None
        self.page = page
        return page

    def _decode(self, request: Request) -> tuple[bool, tuple[Any, Any] | None]:
        encoded = request.query_params.get(self.cursor_query_param)
        if not encoded:
            return False, None
        invalid = exceptions.NotFound(self.invalid_cursor_message)
        try:
            query = b64decode(encoded.encode("ascii"), altchars=b"-_", validate=False).decode()
            tokens = parse.parse_qs(query, keep_blank_values=True, strict_parsing=True)
            reverse = tokens.get("r", ["0"])[0] == "1"
            stamp = self.model._meta.get_field(self.field).to_python(tokens["p"][0])
            pk = self.model._meta.pk.to_python(tokens["i"][0])
        except (ValueError, TypeError, KeyError, UnicodeError, ValidationError):
            raise invalid from None
        if stamp is None or pk is None:
            raise invalid
        if isinstance(stamp, datetime):
            if timezone.is_naive(stamp):
                raise invalid
            # Compared in UTC: PostgreSQL refuses an offset beyond ±15:59 (a
            # DataError), and an instant outside years 1 to 9999 in UTC cannot be
            # sent to SQLite (OverflowError).
            try:
                stamp = stamp.astimezone(UTC)
            except OverflowError:
                raise invalid from None
        return reverse, (stamp, pk)

    def _link(self, row: Any, *, reverse: bool) -> str:
        stamp = getattr(row, self.field)
        tokens = {"p": stamp.isoformat() if hasattr(stamp, "isoformat") else str(stamp)}
        tokens["i"] = str(row.pk)
        if reverse:
            tokens["r"] = "1"
        encoded = b64encode(parse.urlencode(tokens, doseq=True).encode(), altchars=b"-_").decode()
        return replace_query_param(self.link_base, self.cursor_query_param, encoded)

    def get_next_link(self) -> str | None:
        if not self.has_next or not self.page:
            return None
        return self._link(self.page[-1], reverse=False)

    def get_previous_link(self) -> str | None:
        if not self.has_previous or not self.page:
            return None
        return self._link(self.page[0], reverse=True)


def cursor_pagination(timestamp: str, pk: str = "-pk") -> type[KeysetCursorPagination]:
    """Keyset cursor pages in (``timestamp``, pk): stable while rows arrive, no COUNT."""
    if pk.lstrip("-") != "pk" or timestamp.startswith("-") != pk.startswith("-"):
        raise ValueError("A keyset cursor orders by a timestamp, then pk, the same way.")
    return type("CursorPagination", (KeysetCursorPagination,), {"ordering": (timestamp, pk)})
