"""``python -m skaudio`` runs the command-line interface."""

import sys

from skaudio.cli import main

if __name__ == "__main__":
    sys.exit(main())
