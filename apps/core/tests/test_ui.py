"""The one status component and the SKU: the same markup in every context."""

from __future__ import annotations

from django.template import Context, Template

from apps.core.web.ui import STATUS_COLOURS, sku, status_pill


def test_a_pill_has_its_status_its_text_and_the_colour_of_its_meaning() -> None:
    assert status_pill("paid", "Paid") == (
        '<span class="status status-green status-pill" data-status="paid">'
        '<span class="status-dot" aria-hidden="true"></span>Paid</span>'
    )
    # The same meaning, the same colour, whichever context it comes from.
    assert STATUS_COLOURS["active"] == STATUS_COLOURS["paid"] == STATUS_COLOURS["succeeded"]
    assert STATUS_COLOURS["suspended"] == STATUS_COLOURS["cancelled"] == STATUS_COLOURS["declined"]


def test_an_unknown_status_is_still_shown_in_a_neutral_pill() -> None:
    assert 'class="status status-secondary status-pill" data-status="odd"' in status_pill(
        "odd", "Odd"
    )


def test_text_is_escaped() -> None:
    assert "&lt;b&gt;" in status_pill("draft", "<b>")
    assert sku("<A-1>") == '<span class="sku" data-sku>&lt;A-1&gt;</span>'


def test_the_template_tag_reads_a_record_or_a_status_and_label() -> None:
    class Record:
        status = "shipped"

        def get_status_display(self) -> str:
            return "Shipped"

    rendered = Template(
        "{% load console_ui %}{% status_pill record %}|"
        "{% status_pill None 'draft' 'Draft' %}|{{ code|sku }}"
    ).render(Context({"record": Record(), "code": "TEA-1"}))
    assert rendered == "|".join(
        [status_pill("shipped", "Shipped"), status_pill("draft", "Draft"), sku("TEA-1")]
    )
