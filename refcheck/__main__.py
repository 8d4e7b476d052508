"""``python -m refcheck``: the same program as the console script."""

from refcheck.cli import entry

if __name__ == "__main__":
    entry()
