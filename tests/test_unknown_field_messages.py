"""Unknown members are reported in the order the document has them, and a misspelt field that
is missing gets its name suggested (``locaton_id``: did you mean ``location_id``?)."""

from __future__ import annotations

import pytest

from ocpi_ref import check_start_session


@pytest.mark.rule("field.unknown")
def test_unknown_members_come_in_document_order_with_the_field_meant(start_session) -> None:
    doc = {"zeta": 1, **start_session, "alpha": 2}
    doc["token"] = {"zzz": 1, **start_session["token"], "aaa": 2}
    doc["locaton_id"] = doc.pop("location_id")
    infos = [f for f in check_start_session(doc).findings if f.rule == "field.unknown"]
    assert [f.pointer for f in infos] == ["/zeta", "/token/zzz", "/token/aaa", "/alpha", "/locaton_id"]
    assert infos[-1].message.endswith("; did you mean `location_id`?")
    assert not any("did you mean" in f.message for f in infos[:-1])


@pytest.mark.rule("field.unknown")
def test_no_suggestion_for_a_field_that_is_there(start_session) -> None:
    doc = {**start_session, "locaton_id": "X"}
    (info,) = [f for f in check_start_session(doc).findings if f.rule == "field.unknown"]
    assert "did you mean" not in info.message
