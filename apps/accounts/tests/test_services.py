from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from apps.accounts import roles
from apps.accounts.services import record_user_activity, upsert_staff_user


@pytest.mark.django_db
def test_upsert_staff_user_is_idempotent_and_sets_exactly_one_role() -> None:
    first = upsert_staff_user(username="demo", password="pw-one-1234", role=roles.FINANCE)
    again = upsert_staff_user(username="demo", password="pw-two-1234", role=roles.VIEWERS)
    assert first.pk == again.pk
    assert again.is_staff
    assert again.check_password("pw-two-1234")
    assert list(again.groups.values_list("name", flat=True)) == [roles.VIEWERS]


@pytest.mark.django_db
def test_upsert_staff_user_refuses_an_unknown_role() -> None:
    Group.objects.filter(name="Nope").delete()
    with pytest.raises(ValueError, match="Unknown role"):
        upsert_staff_user(username="demo", password="pw", role="Nope")


def test_record_user_activity_throttles(viewer) -> None:
    assert record_user_activity(user_id=viewer.pk) is True
    assert record_user_activity(user_id=viewer.pk) is False
