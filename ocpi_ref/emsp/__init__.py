"""The reference eMSP over HTTP (needs the ``server`` extra)."""
