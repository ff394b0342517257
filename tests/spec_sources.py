"""Where the verbatim OCPI specification sources are: ``spec/ocpi-src`` in this repository.

``OCPI_SPEC_SRC`` points the tests at another folder of the same layout (``2.1.1``, ``2.2``,
``2.2.1``, ``v2.3.0``). A test that needs a folder the sources lack skips with
:func:`need`, which names the folder it looked for.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

IN_REPOSITORY = Path(__file__).resolve().parent.parent / "spec" / "ocpi-src"
SPEC_SRC = Path(os.environ.get("OCPI_SPEC_SRC") or IN_REPOSITORY)


def need(*parts: str) -> Path:
    """``SPEC_SRC / parts``, or skip the calling test when that folder is missing."""
    folder = SPEC_SRC.joinpath(*parts)
    if not folder.is_dir():
        where = "OCPI_SPEC_SRC" if os.environ.get("OCPI_SPEC_SRC") else "spec/ocpi-src"
        pytest.skip(f"the OCPI spec sources ({where}) have no {folder}")
    return folder
