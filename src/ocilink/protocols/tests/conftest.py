"""Test setup for protocols/: pure Python, no Django settings and no database needed.

Makes ``ocilink`` importable from the source tree when the package is not
installed (e.g. ``pytest -p no:django`` in a fresh checkout).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_SRC = Path(__file__).resolve().parents[3]

if importlib.util.find_spec("ocilink") is None and str(_SRC) not in sys.path:
    sys.path.insert(0, str(_SRC))
