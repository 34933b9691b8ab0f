"""The one status component and the SKU: the same markup in every context."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import dateformat, timezone

from apps.core.web.ui import STATUS_COLOURS, relative_time, sku, status_pill


def test_a_pill_has_its_status_its_text_and_the_colour_of_its_meaning() -> None:
    assert status_pill("paid", "Paid") == (
        '<span class="status status-green status-pill" data-status="paid">Paid</span>'
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


@pytest.mark.parametrize(
    ("ago", "text"),
    [
        (timedelta(seconds=0), "just now"),
        (timedelta(seconds=59), "just now"),
        (timedelta(minutes=5, seconds=10), "5 min ago"),
        (timedelta(hours=3, minutes=1), "3 h ago"),
        (timedelta(days=1, hours=2), "1 day ago"),
        (timedelta(days=6), "6 days ago"),
    ],
)
def test_relative_times_read_like_speech_and_keep_the_exact_time(ago, text) -> None:
    now = timezone.now()
    rendered = relative_time(now - ago, now=now)
    assert f">{text}</time>" in rendered
    exact = dateformat.format(timezone.localtime(now - ago), "Y-m-d H:i:s T")
    assert f'title="{exact}"' in rendered


def test_older_times_show_their_date() -> None:
    now = timezone.now()
    moment = now - timedelta(days=30)
    assert f">{timezone.localtime(moment):%Y-%m-%d}</time>" in relative_time(moment, now=now)
