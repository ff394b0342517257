"""The conformance suite: the reference eMSP drives a CPO under test over HTTP.

:func:`run_suite` runs the named scenarios (``SCENARIOS``, in
``ocpi_ref.conformance.scenarios``) against a :class:`Target` and returns each :class:`~ocpi_ref.conformance.model.Outcome` with its
evidence; :func:`render_text` and :func:`to_json` report them. The pytest plugin
(:mod:`.plugin`, registered as the ``ocpi_conformance`` entry point) runs the same scenarios
as test items: ``pytest --ocpi-cpo URL ...``; ``ocpi-ref conformance cpo`` is a thin front on it.
"""

from .model import SCENARIOS, Check, Exchange, Outcome, Scenario, Status
from .probe import Target
from .suite import render_text, run_suite, select, to_json

__all__ = [
    "SCENARIOS",
    "Check",
    "Exchange",
    "Outcome",
    "Scenario",
    "Status",
    "Target",
    "render_text",
    "run_suite",
    "select",
    "to_json",
]
