"""Settings package: ``base`` is shared, ``dev``/``test``/``prod`` choose the environment.

``DJANGO_SETTINGS_MODULE`` picks one; ``manage.py`` defaults to ``dev``.
"""
