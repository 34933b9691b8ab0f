"""The shared web layer: HTTP and htmx helpers, list composition, tables,
filters, and the one transition view and one bulk view every context uses.

The rest of ``apps.core`` (errors, events, transitions, work) imports none of
it, nor Django's HTTP, messages or template code: the import-linter contract
"The shared kernel's domain part imports no web code" keeps it so.
"""
