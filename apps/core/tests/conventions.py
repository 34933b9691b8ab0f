"""Checks of the design's conventions that every context's tests share."""

from __future__ import annotations

import inspect
import typing
from types import ModuleType
from typing import Any


def assert_keyword_only(services: ModuleType, *models: type[Any]) -> None:
    """Public services take keyword arguments only; nothing is positional-only;
    every annotation resolves to a type.

    Model methods with arguments (a transition's reason or tracking number)
    take them by keyword too: ``ship("Damaged")`` must not pass for a reason.
    """
    functions = [
        (name, function)
        for name, function in vars(services).items()
        if inspect.isfunction(function) and function.__module__ == services.__name__
    ]
    assert functions
    for name, function in functions:
        typing.get_type_hints(function)  # the annotations mean something
        parameters = inspect.signature(function).parameters.values()
        assert all(p.kind is not inspect.Parameter.POSITIONAL_ONLY for p in parameters), name
        if not name.startswith("_"):
            keyword = {inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.VAR_KEYWORD}
            assert all(p.kind in keyword for p in parameters), name
    for model in models:
        for name, method in vars(model).items():
            if not inspect.isfunction(method) or name.startswith("_"):
                continue
            typing.get_type_hints(method)
            parameters = list(inspect.signature(method).parameters.values())[1:]
            assert all(p.kind is not inspect.Parameter.POSITIONAL_ONLY for p in parameters), name
            named = [p for p in parameters if p.kind is not inspect.Parameter.VAR_KEYWORD]
            if named and getattr(method, "_django_fsm", None) is not None:
                assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in named), name


def assert_querysets_take_options_by_keyword(*querysets: type[Any]) -> None:
    """A QuerySet method's annotations resolve, nothing is positional-only, and
    an optional argument is keyword-only: ``slug_taken("oak", 3)`` must not
    read as "taken, except by market 3" by accident of position.
    """
    for queryset in querysets:
        methods = [
            (name, method)
            for name, method in vars(queryset).items()
            if inspect.isfunction(method) and not name.startswith("_")
        ]
        assert methods, queryset
        for name, method in methods:
            typing.get_type_hints(method)
            parameters = list(inspect.signature(method).parameters.values())[1:]
            assert all(p.kind is not inspect.Parameter.POSITIONAL_ONLY for p in parameters), name
            optional = [p for p in parameters if p.default is not inspect.Parameter.empty]
            assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in optional), name


def assert_selectors_take_one_positional_argument(selectors: ModuleType) -> None:
    """A selector reads by at most one positional argument (the slug, id, day
    or words looked up); anything more is keyword-only, so that
    ``search(query, 10)`` cannot mean a limit by accident of position.
    Annotations resolve."""
    functions = [
        (name, function)
        for name, function in vars(selectors).items()
        if inspect.isfunction(function)
        and function.__module__ == selectors.__name__
        and not name.startswith("_")
    ]
    assert functions
    for name, function in functions:
        typing.get_type_hints(function)
        parameters = list(inspect.signature(function).parameters.values())
        positional = [p for p in parameters if p.kind is not inspect.Parameter.KEYWORD_ONLY]
        assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in positional), name
        assert len(positional) <= 1, name
