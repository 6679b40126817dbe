import sys

from python_impl.workflow import main

sys.exit(main())
