"""Input parsing for market pages. Rules live in the model and the services."""

from __future__ import annotations

from typing import Any

from django import forms

from apps.core.web.forms import VersionedForm

from .models import Currency, Market


class MarketForm(VersionedForm):
    """New market, or (with ``market=``) an edit that carries the version it was opened at."""

    name = forms.CharField(max_length=120)
    slug = forms.SlugField(
        max_length=80,
        required=False,
        help_text="Used in links. Leave blank to make one from the name.",
    )
    currency = forms.ChoiceField(choices=Currency.choices)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Shown to buyers; a market needs one before it is published.",
    )

    def __init__(self, *args: Any, market: Market | None = None, **kwargs: Any) -> None:
        if market is not None:
            kwargs.setdefault(
                "initial",
                {field: getattr(market, field) for field in Market.EDITABLE_FIELDS},
            )
        super().__init__(*args, version=market.version if market else None, **kwargs)
        self.market = market
        for name, field in self.fields.items():
            if field.widget.is_hidden:
                continue
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault("class", "form-select" if is_select else "form-control")
            # The feedback below each field is its accessible description.
            described_by = [f"id_{name}_feedback"]
            if field.help_text:
                described_by.append(f"id_{name}_helptext")
            field.widget.attrs["aria-describedby"] = " ".join(described_by)
        if market is not None:
            for name in Market.EDITABLE_FIELDS - market.editable_fields():
                self.fields[name].disabled = True
                self.fields[name].help_text = "Fixed once the market has gone live."

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        # Bootstrap shows a field as invalid by its class; Django adds aria-invalid.
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                classes = widget.attrs.get("class", "")
                if "is-invalid" not in classes.split():
                    widget.attrs["class"] = f"{classes} is-invalid".strip()

    def changes(self) -> dict[str, Any]:
        """What to save: every field of a new market; of an edit, only the
        fields the user changed from what they loaded.

        A blank slug means "make one from the name" for a new market and
        "keep it" for an existing one.
        """
        if self.market is None:
            return dict(self.cleaned_data)
        changes = self.edited()
        if not changes.get("slug"):
            changes.pop("slug", None)
        return changes
