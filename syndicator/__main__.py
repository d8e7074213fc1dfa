"""``python -m syndicator`` runs the command line."""

from syndicator.cli import main

raise SystemExit(main())
