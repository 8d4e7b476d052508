"""``python -m refcheck``: the same program as the console script."""

import sys

from refcheck.cli import main

if __name__ == "__main__":
    sys.exit(main())
