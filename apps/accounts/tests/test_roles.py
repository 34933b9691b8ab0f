"""The role the user menu shows, and that it follows a change of role at once."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.roles import FINANCE, ORDER_AGENTS, role_label

pytestmark = pytest.mark.django_db


def test_each_role_is_named_for_one_person(manager, agent, finance, viewer, superuser) -> None:
    assert role_label(manager) == "Market manager"
    assert role_label(agent) == "Order agent"
    assert role_label(finance) == "Finance"
    assert role_label(viewer) == "Viewer"
    assert role_label(superuser) == "Superuser"


def test_the_label_is_cached_and_follows_a_change_of_group(agent, django_user_model) -> None:
    assert role_label(agent) == "Order agent"
    fresh = django_user_model.objects.get(pk=agent.pk)  # no permission cache on it
    with CaptureQueriesContext(connection) as captured:
        assert role_label(fresh) == "Order agent"
    assert len(captured) == 0

    fresh.groups.add(Group.objects.get(name=FINANCE))
    assert role_label(django_user_model.objects.get(pk=agent.pk)) == "Order agent · Finance"
    fresh.groups.remove(Group.objects.get(name=ORDER_AGENTS))
    assert role_label(django_user_model.objects.get(pk=agent.pk)) == "Finance"
