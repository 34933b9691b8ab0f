"""Repeatable measurements of the console, printed as tables (``make bench``)."""
