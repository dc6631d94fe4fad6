import sys

from debrief.cli import main

sys.exit(main())
