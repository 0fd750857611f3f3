"""The bundle's ``calllookup`` executable: the GUI, like the wheel's gui-script."""

from desktop.app import main

raise SystemExit(main())
