"""`python -m opdesk.cli`: the same command line as the `opdesk` script."""

from opdesk.cli import main

raise SystemExit(main())
