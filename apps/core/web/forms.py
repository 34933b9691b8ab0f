"""Forms that edit a record other staff may be editing too (no lost update).

An edit form made with ``version=`` carries the record's version in a hidden
field and, for every field, the value it was loaded with (Django's
``show_hidden_initial``). So on a save the server knows both what the user
changed (``edited()``: only those fields are written) and which version they
started from (the service refuses a save over a newer one with ``StaleEdit``).
After a refusal, ``rebased()`` is the same form against the record as it is
now: the user's changes kept, the fields they did not touch updated, and the
fresh value beside each field someone else changed meanwhile.
"""

from __future__ import annotations

from typing import Any, Self

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.http import QueryDict

VERSION_FIELD = "version"
# The version column is a PositiveIntegerField: anything outside is a forgery.
MAX_VERSION = 2**31 - 1


def _comparable(value: Any) -> Any:
    # Browsers send a textarea's line breaks as CRLF whatever was stored.
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


class VersionedForm(forms.Form):
    """Base of every edit form (markets now, any later one): pass ``version=``
    (the record's) when editing, nothing when creating."""

    def __init__(self, *args: Any, version: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.versioned = version is not None
        # Set by ``rebased``: the message, and field → the value it has now.
        self.stale_message = ""
        self.current_values: dict[str, str] = {}
        if not self.versioned:
            return
        for field in self.fields.values():
            field.show_hidden_initial = True
        self.fields[VERSION_FIELD] = forms.IntegerField(
            widget=forms.HiddenInput,
            initial=version,
            min_value=1,
            max_value=MAX_VERSION,
            error_messages=dict.fromkeys(
                ("required", "invalid", "min_value", "max_value"),
                "This form has lost track of the version it was opened at: open it again to edit.",
            ),
        )

    def _editable(self) -> list[str]:
        return [
            name
            for name, field in self.fields.items()
            if name != VERSION_FIELD and not field.disabled
        ]

    def loaded_version(self) -> int:
        """The version the form was opened at (after ``is_valid()``)."""
        return int(self.cleaned_data[VERSION_FIELD])

    def edited(self) -> dict[str, Any]:
        """The cleaned values of the fields the user changed from what they loaded."""
        changed = set(self.changed_data)
        return {name: self.cleaned_data[name] for name in self._editable() if name in changed}

    def loaded_value(self, name: str) -> Any:
        """The value field ``name`` had when the form was opened (None if unreadable)."""
        field = self.fields[name]
        raw = field.hidden_widget().value_from_datadict(
            self.data, self.files, self[name].html_initial_name
        )
        try:
            return field.to_python(raw)
        except ValidationError:
            return None

    def rebased(
        self, current: dict[str, Any], *, version: int, message: str, **kwargs: Any
    ) -> Self:
        """This form against the record as it is now: ``current`` (field → value)
        at ``version``; ``kwargs`` build the form for the fresh record."""
        data = QueryDict(mutable=True)
        for key in self.data:
            data.setlist(
                key, self.data.getlist(key) if hasattr(self.data, "getlist") else [self.data[key]]
            )
        edited = set(self.changed_data)
        for name in self._editable():
            if name not in current:
                continue
            now = current[name]
            data[self[name].html_initial_name] = now
            if name not in edited:
                data[self.add_prefix(name)] = now  # untouched by the user: take theirs
        data[self.add_prefix(VERSION_FIELD)] = str(version)
        rebased = type(self)(data, **kwargs)
        rebased.stale_message = message
        for name, now in current.items():
            if name not in self.fields or name == VERSION_FIELD:
                continue
            if _comparable(self.loaded_value(name)) != _comparable(now):
                rebased.current_values[name] = self._display(name, now)
                widget = rebased.fields[name].widget
                widget.attrs["aria-describedby"] = (
                    f"{widget.attrs.get('aria-describedby', '')} {rebased[name].auto_id}_current"
                ).strip()
        rebased.is_valid()
        return rebased

    def _display(self, name: str, value: Any) -> str:
        choices = getattr(self.fields[name], "choices", None)
        if choices:
            return str(dict(choices).get(value, value))
        return str(value)

    def rows(self) -> list[tuple[BoundField, str | None]]:
        """Each visible field with the value someone else gave it meanwhile (or None)."""
        return [(field, self.current_values.get(field.name)) for field in self.visible_fields()]
