"""The reference CPO over HTTP (needs the ``server`` extra)."""
