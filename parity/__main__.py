import sys

from parity.presentation.cli import main

sys.exit(main())
