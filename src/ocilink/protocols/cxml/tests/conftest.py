"""Test setup for the cXML codec: pure Python, no Django settings and no database.

The cXML DTD is not part of the repository (its licence allows redistribution only unmodified
and with the licence attached). Tests that validate against it look for ``cXML.dtd`` 1.2.063 in
``$OCILINK_CXML_DTD_DIR`` (either that directory or its ``1.2.063/`` subdirectory), else in
``../shared/reference/cxml-dtd/1.2.063/`` next to the project root, and skip where it is absent.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

import pytest

_SRC = Path(__file__).resolve().parents[4]
if importlib.util.find_spec("ocilink") is None and str(_SRC) not in sys.path:
    sys.path.insert(0, str(_SRC))

from lxml import etree  # type: ignore[import-untyped, unused-ignore]  # noqa: E402

PROJECT_ROOT = _SRC.parent
DTD_VERSION = "1.2.063"


def find_cxml_dtd() -> Path | None:
    """Return the path of cXML.dtd 1.2.063, or None when it is not available on this machine."""
    candidates: list[Path] = []
    configured = os.environ.get("OCILINK_CXML_DTD_DIR")
    if configured:
        candidates += [Path(configured) / DTD_VERSION / "cXML.dtd", Path(configured) / "cXML.dtd"]
    candidates.append(PROJECT_ROOT.parent / "shared" / "reference" / "cxml-dtd" / DTD_VERSION / "cXML.dtd")
    return next((path for path in candidates if path.is_file()), None)


@pytest.fixture(scope="session")
def cxml_dtd() -> Any:
    """The cXML 1.2.063 DTD as an ``lxml.etree.DTD``; skips the test when the file is absent."""
    path = find_cxml_dtd()
    if path is None:
        pytest.skip(
            f"cXML.dtd {DTD_VERSION} not found: set OCILINK_CXML_DTD_DIR or provide "
            f"../shared/reference/cxml-dtd/{DTD_VERSION}/cXML.dtd next to the project root"
        )
    return etree.DTD(str(path))
