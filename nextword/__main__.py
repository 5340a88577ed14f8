"""`python -m nextword ...`: see nextword/cli/."""

import sys

from nextword.cli import main

if __name__ == "__main__":
    sys.exit(main())
