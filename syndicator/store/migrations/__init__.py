"""Alembic revisions of the post log's schema (see ``syndicator/store/migrate.py``).

A store is upgraded when it is opened. To add a revision after editing
``store/schema.py``, from the repository root::

    .venv/bin/alembic -c syndicator/store/migrations/alembic.ini \\
        -x url=sqlite:///var/dev.db revision --autogenerate -m "what changed"

then read the generated file (autogenerate misses renames and data moves), set
``HEAD`` below to its revision, and run ``tests/store``: it checks that the revisions
build exactly ``schema.py`` and that ``HEAD`` names the last one.
"""

# The newest revision. Opening a store already at it skips importing Alembic (a
# tenth of a second of every one-shot command).
HEAD = "0005"
