from django.db import migrations

from apps.accounts.roles import sync_roles


def create_roles(apps, schema_editor):  # type: ignore[no-untyped-def]
    sync_roles(apps)


def remove_roles(apps, schema_editor):  # type: ignore[no-untyped-def]
    from apps.accounts.roles import ROLE_PERMISSIONS

    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
