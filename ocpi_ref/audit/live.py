"""mitmproxy in reverse mode in front of both parties, with the audit addon (the ``proxy`` extra).

One listener forwards to the CPO (the eMSP's commands, Versions, Sessions and CDRs GETs go
through it), the other to the eMSP (the CPO's CommandResults, authorization requests and
pushed Sessions and CDRs). The eMSP must send response_urls that point at the second
listener, and the CPO must name the first in its Versions module, for their traffic to pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TextIO

from mitmproxy.options import Options
from mitmproxy.tools.dump import DumpMaster

from .addon import AuditAddon

__all__ = ["Proxy", "start_proxy"]

#: mitmproxy's own options that :func:`start_proxy` passes through (its HAR, its flow file).
_MITMPROXY_OWN = frozenset({"hardump", "save_stream_file"})


@dataclass
class Proxy:
    """A running mitmproxy: its master (``shutdown()`` stops it) and the audit addon."""

    master: DumpMaster
    addon: AuditAddon


def start_proxy(cpo: str, emsp: str, *, cpo_port: int, emsp_port: int, host: str = "127.0.0.1",
                out: TextIO | None = None, **audit_options: str) -> Proxy:
    """Build the master (run it with ``await proxy.master.run()``); *audit_options* are the
    addon's options without their ``ocpi_`` prefix (``audit_har="out.har"``), and mitmproxy's
    own (``hardump``) pass through."""
    opts = Options(listen_host=host, mode=[f"reverse:{cpo}@{cpo_port}", f"reverse:{emsp}@{emsp_port}"])
    master = DumpMaster(opts, with_termlog=False, with_dumper=False)
    errors = master.addons.get("errorcheck")
    if errors is not None:  # a startup error (a port taken) is said on stderr, not only counted
        errors.repeat_errors_on_stderr = True
    addon = AuditAddon(out)
    master.addons.add(addon)
    settings: dict[str, Any] = {"ocpi_cpo_url": cpo.rstrip("/"), "ocpi_emsp_url": emsp.rstrip("/")}
    for name, value in audit_options.items():
        settings[name if name in _MITMPROXY_OWN else f"ocpi_{name}"] = value
    master.options.update(**settings)
    return Proxy(master, addon)
