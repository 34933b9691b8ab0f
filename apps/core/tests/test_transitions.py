"""apps.core.transitions on its own: which states a transition leaves from,
and the shape of its functions. Their use on real models is pinned in the
contexts' tests (markets/tests/test_transitions.py and others)."""

from __future__ import annotations

import inspect
import typing
from types import SimpleNamespace

import pytest

from apps.core import transitions
from apps.core.transitions import _from_state


@pytest.mark.parametrize(
    ("source", "state", "allowed"),
    [
        ("draft", "draft", True),
        ("draft", "active", False),
        ("*", "active", True),  # any state
        ("*", "archived", True),
        ("+", "active", True),  # any state but the target, before or after it
        ("+", "suspended", True),
        ("+", "archived", False),
    ],
)
def test_a_transition_leaves_from_its_source_any_state_or_any_but_its_target(
    source: str, state: str, allowed: bool
) -> None:
    transition = SimpleNamespace(source=source, target="archived")
    # A state read from the database is a new str, not the interned literal.
    assert _from_state(transition, "".join(state)) is allowed


def test_functions_take_the_instance_and_a_name_by_position_and_the_rest_by_keyword() -> None:
    functions = [
        (name, function)
        for name, function in vars(transitions).items()
        if inspect.isfunction(function)
        and function.__module__ == transitions.__name__
        and not name.startswith("_")
    ]
    assert len(functions) >= 6
    for name, function in functions:
        typing.get_type_hints(function)  # the annotations mean something
        parameters = list(inspect.signature(function).parameters.values())
        by_keyword = {inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.VAR_KEYWORD}
        positional = [p for p in parameters if p.kind not in by_keyword]
        assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in positional), name
        assert len(positional) <= 2, name


def _option(**fields: str) -> transitions.TransitionOption:
    return transitions.TransitionOption(
        name="ship", label="Ship", hotkey="s", style="primary", input=fields.get("input"),
        input_label="", enabled=True, disabled_reason="", confirm=fields.get("confirm", ""),
        subject=fields.get("subject", ""),
    )  # fmt: skip


def test_a_dialog_is_named_by_the_action_and_titled_with_what_it_acts_on() -> None:
    assert _option(subject="ORD-7K3M9Q").title == "Ship ORD-7K3M9Q"
    assert _option().title == "Ship"
    assert _option().dialog_id == "dialog-ship"


def test_an_option_with_a_field_or_a_consequence_needs_a_dialog_and_only_then() -> None:
    assert _option(input="tracking_number").needs_dialog
    assert _option(confirm="Ship ORD-1?").needs_dialog
    assert _option(input="reason", confirm="Refund ORD-1?").needs_dialog
    assert not _option().needs_dialog
