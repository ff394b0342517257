"""A timeline per exchange, as inline SVG in HTML: where people would rather look than read.

The StartSession is at t = 0. The answer, each CommandResult (against the timeout the answer
advertised, a shaded band), each real-time authorization (against the clause's 15-minute window
for an RFID Token, a second band), the Sessions, the StopSession and the CDR follow on a
square-root time axis, so seconds and an hour fit one picture. A record a finding rests on is
drawn red and names the rule. Times are relative to the StartSession: no clock time, no address.
"""

from __future__ import annotations

from html import escape
from math import sqrt
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .exchanges import Exchange
    from .report import AuditReport

__all__ = ["timeline_html", "timeline_svg", "write_timelines"]

_W, _LEFT, _RIGHT, _ROW = 760, 20, 20, 16
_TICKS = ((0, "0"), (30, "30 s"), (60, "1 min"), (300, "5 min"), (900, "15 min"), (3600, "1 h"), (14400, "4 h"))


def _events(ex: Exchange) -> list[tuple[float, str, int]]:
    """(seconds after the StartSession, label, entry) of every record of *ex*."""
    t0 = ex.start.record.started
    out = [(0.0, "StartSession", ex.start.record.index)]
    for stop in ex.stops:
        out.append(((stop.record.started - t0).total_seconds(), "StopSession", stop.record.index))
    for cmd in (ex.start, *ex.stops):
        out += [((r.started - t0).total_seconds(), f"result of {cmd.name}", r.index) for r in cmd.results]
    out += [((r.started - t0).total_seconds(), "real-time authorization", r.index) for r in ex.auths]
    out += [((rec.started - t0).total_seconds(), "Session" if kind == "session" else "CDR", rec.index)
            for kind, rec, *_ in ex.objects]
    return sorted(out)


def timeline_svg(ex: Exchange) -> str:
    """One exchange's timeline as an SVG element."""
    events = _events(ex)
    span = max([e[0] for e in events] + [ex.start.timeout or 0, 900 if ex.auths else 0, 60])
    scale = (_W - _LEFT - _RIGHT) / sqrt(span)

    def x(seconds: float) -> float:
        return round(_LEFT + sqrt(max(seconds, 0.0)) * scale, 1)

    at_fault: dict[int, list[str]] = {}
    for f in ex.findings:
        at_fault.setdefault(f.entry, []).append(f.rule)
    height = 60 + _ROW * len(events)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{height}" font-family="sans-serif" font-size="11">']
    if ex.start.timeout:
        parts.append(f'<rect x="{x(0)}" y="20" width="{x(ex.start.timeout) - x(0)}" height="{height - 40}" fill="#dbeafe"><title>advertised timeout {ex.start.timeout} s</title></rect>')
    if ex.auths and ex.token.get("type") == "RFID":
        parts.append(f'<rect x="{x(0)}" y="20" width="{x(900) - x(0)}" height="8" fill="#fde68a"><title>15 minutes after the StartSession</title></rect>')
    parts.append(f'<line x1="{_LEFT}" y1="{height - 20}" x2="{_W - _RIGHT}" y2="{height - 20}" stroke="#555"/>')
    for seconds, label in _TICKS:
        if seconds <= span:
            parts.append(f'<text x="{x(seconds)}" y="{height - 6}" text-anchor="middle" fill="#555">{label}</text>')
    for row, (seconds, label, entry) in enumerate(events):
        y = 40 + row * _ROW
        rules = at_fault.get(entry, [])
        colour = "#dc2626" if rules else "#1f2937"
        text = f"entry {entry}: {label}" + (f" — {', '.join(rules)}" if rules else "")
        anchor = "end" if x(seconds) > _W / 2 else "start"
        dx = -6 if anchor == "end" else 6
        parts.append(f'<circle cx="{x(seconds)}" cy="{y - 4}" r="4" fill="{colour}"/>')
        parts.append(f'<text x="{x(seconds) + dx}" y="{y}" text-anchor="{anchor}" fill="{colour}">{escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def timeline_html(report: AuditReport) -> str:
    """Every exchange of *report*: a heading and its timeline."""
    blocks = [f"<h4>{escape(f'{ex.id} {ex.command} {ex.version}')}</h4>{timeline_svg(ex)}" for ex in report.exchanges]
    return report.partners.scrub("<div>" + "".join(blocks) + "</div>")


def write_timelines(report: AuditReport, directory: Path) -> list[Path]:
    """Write ``<exchange id>.html`` per exchange into *directory*; return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for ex in report.exchanges:
        path = directory / f"{ex.id}.html"
        page = f"<!doctype html><meta charset=utf-8><title>{ex.id}</title><h4>{escape(f'{ex.id} {ex.command} {ex.version}')}</h4>{timeline_svg(ex)}"
        path.write_text(report.partners.scrub(page), encoding="utf-8")
        written.append(path)
    return written
