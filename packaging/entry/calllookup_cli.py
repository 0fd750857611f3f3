"""The bundle's ``calllookup-cli`` executable: the CLI, like the wheel's console script."""

from desktop.cli import main

raise SystemExit(main())
