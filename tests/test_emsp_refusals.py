"""The reference eMSP's callback keeps every POST it refused, with the reason, and wakes the
request waiting for it: a wrong ``--callback-token`` is not a timeout."""

from __future__ import annotations

import asyncio

import httpx

from ocpi_ref.emsp import CommandTracker, create_callback_app
from ocpi_ref.emsp.callback import Refusal
from ocpi_ref.transport.servers import serve_in_task


def test_each_refused_post_is_kept_with_its_reason() -> None:
    async def main() -> list[Refusal]:
        tracker = CommandTracker()
        for rid in ("r1", "r2", "r3", "r4", "r5", "r6"):
            tracker.expect(rid)  # refusals of answers to commands we sent (strays are counted apart)
        async with serve_in_task(create_callback_app(tracker, callback_token="cb")) as cb:
            url = cb.url + "/ocpi/emsp/2.2.1/commands/START_SESSION/"
            auth = {"Authorization": "Token Y2I="}  # Base64 of "cb"
            async with httpx.AsyncClient() as c:
                await c.post(url + "r1", headers={"Authorization": "Token eA=="}, content=b'{"result":"ACCEPTED"}')
                await c.post(url + "r2", content=b'{"result":"ACCEPTED"}')
                await c.post(url + "r3", headers=auth, content=b"{nope")
                await c.post(url + "r4", headers=auth, content=b'{"result":"MAYBE"}')
                await c.post(url + "r5", headers=auth, content=b'{"result":"ACCEPTED"}')  # a good one
                await c.post(url.replace("2.2.1", "9.9") + "r6", headers=auth, content=b'{"result":"ACCEPTED"}')
        return tracker.refusals()

    refusals = asyncio.run(main())
    assert [(r.request_id, r.http_status) for r in refusals] == [("r1", 401), ("r2", 401), ("r3", 400), ("r4", 200), ("r6", 404)]
    assert "not our callback token" in refusals[0].reason and "no Authorization header" in refusals[1].reason
    assert "not JSON" in refusals[2].reason and "/result" in refusals[3].reason and "'9.9'" in refusals[4].reason


def test_a_refusal_before_the_wait_still_ends_it() -> None:
    """The answer may beat the CommandResponse; so may its refusal."""

    async def main() -> tuple[bool, bool]:
        tracker = CommandTracker()
        tracker.refuse(Refusal("START_SESSION", "r1", 401, "wrong token"))
        early = tracker.refused("r1")
        late = tracker.refused("r2")
        tracker.refuse(Refusal("START_SESSION", "r2", 401, "wrong token"))
        other = tracker.refused("r3")
        return early.done() and late.done(), other.done()

    assert asyncio.run(main()) == (True, False)
