"""`python -m desktop` opens the main window, like the `calllookup` command."""

from desktop.app import main

raise SystemExit(main())
