"""The shared vocabulary: every pattern that more than one stage reads text with, defined once.

Each name says what it matches; a stage that needs a variant builds it from these parts
instead of writing its own copy, so the stages cannot drift apart.
"""
from __future__ import annotations

import re

ENGLISH_WORD = re.compile(r"[a-z][a-z0-9'\-]*")
"""A lower-cased English word (hyphens and apostrophes inside: state-owned, university's)."""
