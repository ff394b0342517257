"""The checker for OCPI 2.2.1 StartSessions: :mod:`ocpi_ref.checker` with the version fixed.

The checker itself serves every version; these two functions keep the 2.2.1 package
self-contained for callers that only speak 2.2.1 (the CPO's decision, the HTTP service).
"""

from __future__ import annotations

from typing import Any

from .. import checker as _checker
from ..findings import Report
from .models import VERSION, StartSession

__all__ = ["check_start_session", "check_start_session_model"]


def check_start_session(data: Any, **context: Any) -> Report:
    """:func:`ocpi_ref.checker.check_start_session` for OCPI 2.2.1 (§13.3.5).

    *context* takes the same keywords: ``sender``, ``evse_capabilities``, ``max_bytes``,
    ``max_depth``.
    """
    return _checker.check_start_session_model(data, version=VERSION, **context)[0]


def check_start_session_model(data: Any, **context: Any) -> tuple[Report, StartSession | None]:
    """:func:`ocpi_ref.checker.check_start_session_model` for OCPI 2.2.1: report and model."""
    return _checker.check_start_session_model(data, version=VERSION, **context)  # type: ignore[return-value]
