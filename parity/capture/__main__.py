"""``python -m parity.capture``: see :mod:`parity.capture.driver`."""

import sys

from parity.capture.driver import main

sys.exit(main())
