"""The server stack: uvicorn with httptools and uvloop where installed (the ``server`` extra),
asyncio and h11 where a platform lacks them."""

from __future__ import annotations

import importlib.util

import pytest
import uvicorn


def test_uvicorn_auto_picks_httptools_and_uvloop_when_installed():
    if importlib.util.find_spec("httptools") is None or importlib.util.find_spec("uvloop") is None:
        pytest.skip("httptools or uvloop not installed on this platform: uvicorn uses h11 and asyncio")
    config = uvicorn.Config(lambda scope, receive, send: None, lifespan="off")
    config.load()
    assert config.http_protocol_class.__name__ == "HttpToolsProtocol"
    assert config.loop == "auto"  # ocpi_ref.transport.servers leaves both on "auto": the fallback stays
