"""The automation API's shared web layer: what every context's ``rest.py`` uses.

The API is a second inbound adapter over the same services and selectors as
the pages. Nothing here decides a business rule: permissions are the user's
Django model permissions (the roles of ``apps.accounts.roles``) and the
services' own checks; refusals are the domain errors of ``apps.core.errors``,
mapped once to ``application/problem+json`` (RFC 9457) by
``problem_exception_handler``.

- ``ConsoleViewSet``: staff only, the view permission of its model for every
  request, the permission the pages' view demands for a write
  (``action_permissions``), and every domain event announced during the
  request marked "via API (token name)".
- ``TransitionActions``: one ``POST …/{key}/<name>/`` per transition service a
  context registers (``TRANSITION_SERVICES``), with the inputs the model
  declares (``transition_inputs``), ``If-Match`` checked on the locked row and
  ``Idempotency-Key`` passed to the services that take one.
"""

from __future__ import annotations

import contextvars
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.http import Http404, JsonResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler

from apps.core.concurrency import StaleEdit
from apps.core.errors import DomainError, InvalidInput, PreconditionFailed
from apps.core.events import set_via
from apps.core.transitions import expecting_version, transition_custom, transition_inputs
from apps.core.transitions import version_tag as version_tag

from .rest_policy import cursor_pagination as cursor_pagination

PROBLEM_CONTENT_TYPE = "application/problem+json"

# --- Errors: one mapping to RFC 9457 problem details ------------------------------

TITLES = {
    400: "Bad request",
    401: "Not signed in",
    402: "Payment failed",
    403: "Not permitted",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Not possible now",
    412: "Changed meanwhile",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Server error",
    503: "Service unavailable",
}


def _problem_type(name: str) -> str:
    return "urn:console:problem:" + re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def problem_body(status: int, detail: str, *, kind: str, **extra: Any) -> dict[str, Any]:
    """The members of a problem: type, title, status, detail and extension members."""
    return {
        "type": _problem_type(kind),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **extra,
    }


def problem(
    status: int, detail: str, *, kind: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    """A problem details response from a DRF view (rendered by DRF)."""
    body = problem_body(status, detail, kind=kind, **extra)
    return Response(body, status=status, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def problem_response(
    status: int, detail: str, *, kind: str, headers: dict[str, str] | None = None, **extra: Any
) -> JsonResponse:
    """The same problem outside DRF: a middleware's or an error handler's answer."""
    body = problem_body(status, detail, kind=kind, **extra)
    return JsonResponse(body, status=status, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def _first_message(detail: Any) -> tuple[str, str | None]:
    """The first message of a DRF validation error and the field it is about."""
    if isinstance(detail, dict):
        for field, value in detail.items():
            message, _ = _first_message(value)
            return message, None if field == "non_field_errors" else str(field)
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail), None


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every refusal of the API as ``application/problem+json``.

    A ``DomainError`` keeps its status and its message, the very sentence
    the pages show (plus ``field`` for ``InvalidInput``; the current
    representation and its ``ETag`` for ``PreconditionFailed``). DRF's own
    errors (validation, authentication, throttling, 404) take the same shape.
    """
    if isinstance(exc, DomainError):
        extra: dict[str, Any] = {}
        headers: dict[str, str] = {}
        if isinstance(exc, InvalidInput) and exc.field:
            extra["field"] = exc.field
        if isinstance(exc, PreconditionFailed) and exc.etag:
            extra["current"] = exc.current
            headers["ETag"] = exc.etag
        return problem(
            exc.http_status, exc.message, kind=type(exc).__name__, headers=headers, **extra
        )
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    headers = {key: value for key, value in response.headers.items() if key != "Content-Type"}
    if isinstance(exc, exceptions.ValidationError):
        message, field = _first_message(exc.detail)
        extra = {"errors": exc.detail}
        if field:
            extra["field"] = field
            message = f"{field}: {message}"
        return problem(400, message, kind="InvalidRequest", headers=headers, **extra)
    detail = getattr(exc, "detail", None)
    message = str(detail) if detail is not None else str(exc)
    return problem(response.status_code, message, kind=type(exc).__name__, headers=headers)


# --- ViewSets ---------------------------------------------------------------------------


def _via(request: Request) -> str:
    name = getattr(request.auth, "name", "")
    return f"API ({name})" if name else "API"


class ConsoleViewSet(viewsets.GenericViewSet):
    """The base of every API ViewSet (see the module docstring)."""

    # action → the permission the pages demand before reading a write's input.
    action_permissions: ClassVar[dict[str, str]] = {}

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # A context of its own per request: the channel set below ends with it,
        # however the request ends.
        return contextvars.copy_context().run(super().dispatch, request, *args, **kwargs)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # Authenticated by now: events announced from here on name the channel.
        set_via(_via(request))


class ActionSerializer(serializers.Serializer):
    """A transition as the page's button shows it to this user (``TransitionOption``)."""

    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # shadows Field.label
    enabled = serializers.BooleanField()
    disabled_reason = serializers.CharField()
    input = serializers.CharField(allow_null=True)


class VersionedRetrieve:
    """``GET …/{key}/`` with the resource's ``ETag`` (for ``If-Match`` on its actions)."""

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()  # type: ignore[attr-defined]
        data = self.get_serializer(instance).data  # type: ignore[attr-defined]
        return Response(data, headers={"ETag": version_tag(instance)})


def _if_match(request: Request) -> list[str] | None:
    header = request.headers.get("If-Match", "").strip()
    if not header:
        return None
    # Strong comparison (RFC 9110 §13.1.1): a weak tag never matches.
    return [tag.strip() for tag in header.split(",") if tag.strip()]


@contextmanager
def honouring_if_match(
    request: Request,
    instance: models.Model,
    reread: Callable[[], models.Model],
    represent: Callable[..., serializers.BaseSerializer],
) -> Iterator[None]:
    """Run a write only if ``instance`` is still at the ``If-Match`` tags (if any).

    The service compares them on the row it has locked (``check_transition``,
    ``check_expected_version``); a stale tag is ``PreconditionFailed`` (412)
    with the current representation (``represent(reread())``) and its ETag.
    With ``If-Match``, an edit's own version check (``StaleEdit``) answers the
    same 412: the client asked for a precondition, and it failed.
    """
    expected = _if_match(request)
    if expected is None:
        yield
        return
    try:
        with expecting_version(instance, expected):
            yield
    except (PreconditionFailed, StaleEdit) as error:
        failed = error if isinstance(error, PreconditionFailed) else PreconditionFailed(str(error))
        current = reread()
        failed.current = represent(current).data
        failed.etag = version_tag(current)
        if failed is error:
            raise
        raise failed from error


def _idempotency_key(request: Request) -> str:
    """The client's ``Idempotency-Key`` scoped to its user (two users' keys never meet),
    or a fresh one: without the header every request is an attempt of its own."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return f"api-{uuid.uuid4().hex}"
    if len(key) > 60 or not key.isprintable():
        raise InvalidInput(
            "The Idempotency-Key header is at most 60 printable characters.",
            field="Idempotency-Key",
        )
    return f"api-{request.user.pk}-{key}"


class StrictInput(serializers.Serializer):
    """A write's body: the fields it takes, and a 400 naming any other.

    Shape only. A script that sends ``status`` to an edit, or misspells a
    field, is told so instead of getting a 200 that changed nothing.
    """

    # The browsable API's HTML forms send their CSRF token among the fields.
    IGNORED_FIELDS: ClassVar[frozenset[str]] = frozenset({"csrfmiddlewaretoken"})

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        sent = self.initial_data.keys() if hasattr(self.initial_data, "keys") else ()
        unknown = [
            name for name in sent if name not in self.fields and name not in self.IGNORED_FIELDS
        ]
        if unknown:
            takes = ", ".join(self.fields) or "no fields"
            raise serializers.ValidationError(
                {name: [f"Not taken here (this takes {takes})."] for name in unknown}
            )
        return attrs


def _inputs_serializer(model: type[models.Model], name: str) -> type[serializers.Serializer]:
    """The body a transition takes: the inputs its model declares, as plain text.

    Shape only: whether a blank reason will do is the model's rule, refused
    by the service (422 with ``field``), as on the page.
    """
    fields = {
        field: serializers.CharField(required=False, allow_blank=True, default="")
        for field in transition_inputs(model(), name)
        if field != "idempotency_key"
    }
    class_name = "".join(part.title() for part in f"{model.__name__}_{name}_input".split("_"))
    return type(class_name, (StrictInput,), fields)


def _transition_action(model: type[models.Model], name: str) -> Callable[..., Response]:
    custom = transition_custom(model(), name) or {}
    takes_key = "idempotency_key" in transition_inputs(model(), name)
    body = _inputs_serializer(model, name)
    parameters = [
        OpenApiParameter(
            "If-Match",
            location=OpenApiParameter.HEADER,
            required=False,
            description="The ETag you read: refused with 412 if it changed meanwhile.",
        )
    ]
    if takes_key:
        parameters.append(
            OpenApiParameter(
                "Idempotency-Key",
                location=OpenApiParameter.HEADER,
                required=False,
                description="Repeat a request with the same key: one gateway call, the same "
                "answer. The same key for another order or reason: 422.",
            )
        )

    def run(self: TransitionActions, request: Request, **kwargs: Any) -> Response:
        return self.run_transition(request, name)

    run.__name__ = name
    run.__doc__ = f"{custom.get('label', name.title())}: the same action as the page's button."
    # extend_schema goes outside action(): on a plain function it keeps the
    # schema in ``func.kwargs``, which action() then replaces (losing the body
    # and the headers); on an action it adds to the action's own kwargs.
    decorated = extend_schema(
        request=body if body._declared_fields else None,
        parameters=parameters,
        responses={200: OpenApiResponse(description="The resource as it is now (with its ETag).")},
        operation_id=f"{model._meta.model_name}_{name}",
        summary=custom.get("label", name.title()),
    )(action(detail=True, methods=["post"], url_path=name, url_name=name)(run))
    decorated.inputs_serializer = body  # type: ignore[attr-defined]
    return decorated


class TransitionActions(ConsoleViewSet):
    """Adds ``POST …/{key}/<name>/`` for every transition service the subclass names.

    A subclass sets ``transition_services`` (its context's ``TRANSITION_SERVICES``)
    and ``transition_id_argument`` (``market_id``); the model comes from its
    queryset. One implementation (``run_transition``) serves them all.
    """

    transition_services: ClassVar[dict[str, Callable[..., Any]]] = {}
    transition_id_argument: ClassVar[str] = ""
    transition_model: ClassVar[type[models.Model] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.transition_model is None:
            return
        for name in cls.transition_services:
            setattr(cls, name, _transition_action(cls.transition_model, name))

    def run_transition(self, request: Request, name: str) -> Response:
        instance = self.get_object()
        action_method = getattr(type(self), name)
        body = action_method.inputs_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        arguments = dict(body.validated_data)
        if "idempotency_key" in transition_inputs(instance, name):
            arguments["idempotency_key"] = _idempotency_key(request)
            arguments["await_seconds"] = settings.API_IDEMPOTENCY_WAIT_SECONDS
        service = self.transition_services[name]
        arguments[self.transition_id_argument] = instance.pk
        with honouring_if_match(request, instance, self.get_object, self.get_serializer):
            service(actor=request.user, **arguments)
        current = self.get_object()
        return Response(self.get_serializer(current).data, headers={"ETag": version_tag(current)})


# --- The schema: every operation names the problems it may answer -------------------

PROBLEM_SCHEMA = {
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "field": {"type": "string"},
        "errors": {},
        "current": {"type": "object"},
    },
    "required": ["type", "title", "status", "detail"],
}


def add_problem_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the problem statuses on every operation."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    reference = {
        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    }
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            statuses = ["400", "401", "403", "404", "405", "406", "415", "429"]
            if method in {"post", "put", "patch", "delete"}:
                statuses += ["402", "409", "412", "422"]
            responses = operation.setdefault("responses", {})
            for status in statuses:
                responses.setdefault(status, {"description": TITLES[int(status)], **reference})
    return result
