"""The envelope's timestamp is formatted once per second and always names the right second."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ocpi_ref.cpo.envelopes import _timestamp
from ocpi_ref.types import DateTime


def test_the_timestamp_is_the_second_of_now_and_reused_within_it():
    base = datetime(2026, 1, 2, 3, 4, 5, 100, tzinfo=timezone.utc)
    first = _timestamp(base)
    assert first == DateTime.from_datetime(base) == "2026-01-02T03:04:05Z"
    assert _timestamp(base + timedelta(microseconds=500_000)) is first  # same second: no new text
    assert _timestamp(base + timedelta(seconds=1)) == "2026-01-02T03:04:06Z"
    naive = datetime(2026, 1, 2, 3, 4, 6)
    assert _timestamp(naive) == "2026-01-02T03:04:06Z"
    cet = datetime(2026, 1, 2, 4, 4, 6, tzinfo=timezone(timedelta(hours=1)))
    assert _timestamp(cet) == "2026-01-02T03:04:06Z"
