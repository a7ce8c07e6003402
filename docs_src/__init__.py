"""The documentation's examples: every Python block of the site is a file here.

Each page includes its files with ``--8<-- "docs_src/<page>/<file>.py"`` and
``tests/docs/`` imports and runs every one of them.
"""
