from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from apps.accounts import roles
from apps.accounts.models import Profile, User


@pytest.mark.django_db
def test_every_new_user_gets_a_profile() -> None:
    user = User.objects.create_user(username="newcomer", password="x")
    assert Profile.objects.filter(user=user).count() == 1
    assert user.profile.last_active is None


@pytest.mark.django_db
def test_saving_a_user_again_does_not_make_a_second_profile() -> None:
    user = User.objects.create_user(username="newcomer", password="x")
    user.first_name = "New"
    user.save()
    assert Profile.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_the_data_migration_created_every_role() -> None:
    names = set(Group.objects.values_list("name", flat=True))
    assert set(roles.ROLE_PERMISSIONS) <= names


@pytest.mark.django_db
def test_every_role_may_view_accounts_but_viewers_change_nothing() -> None:
    viewers = Group.objects.get(name=roles.VIEWERS)
    codenames = set(viewers.permissions.values_list("codename", flat=True))
    assert "view_user" in codenames
    assert not {c for c in codenames if not c.startswith("view_")}
