"""The StartSession flow as plain functions and small state objects, for every version.

No HTTP here: the reference CPO (:mod:`ocpi_ref.cpo`) and eMSP (:mod:`ocpi_ref.emsp`) call
these, and so can a caller's own system.
"""
