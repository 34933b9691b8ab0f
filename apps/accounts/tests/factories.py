from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from apps.accounts.models import User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(obj: User, create: bool, extracted: str | None, **kwargs: object) -> None:
        if extracted:
            obj.groups.add(Group.objects.get(name=extracted))
        if create:
            obj.save()
