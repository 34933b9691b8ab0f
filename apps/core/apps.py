from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared kernel: domain errors, domain-event plumbing, transitions, cache versions.

    Every context may import it; it imports no context.
    """

    name = "apps.core"
    label = "core"
    verbose_name = "Core"
