"""``python -m rag``: the same command as ``rag``."""
import sys

from rag.apps.cli import main

sys.exit(main())
