from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ConsoleConfig(AppConfig):
    """The project itself: cross-cutting web concerns and demo data."""

    name = "console"
    verbose_name = "Console"


class ConsoleAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with ``console.admin.SuperuserAdminSite`` as ``admin.site``."""

    default = False  # ConsoleConfig stays what "console" in INSTALLED_APPS means

    default_site = "console.admin.SuperuserAdminSite"
