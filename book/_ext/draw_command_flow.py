"""Draw the START_SESSION sequence diagram of the command-flow chapter as a plain SVG.

Our own drawing (not derived from the spec's diagrams), generated so that it renders offline
with no plug-in. Run ``python book/_ext/draw_command_flow.py`` after editing; it rewrites
``book/images/command-flow.svg``, which is committed.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

OUT = Path(__file__).resolve().parent.parent / "images" / "command-flow.svg"

WIDTH = 760
LANES = {"eMSP": 130, "CPO": 420, "Charge Point": 670}
TOP = 70
STEP = 54

# (from, to, label, dashed, detail)
MESSAGES: list[tuple[str, str, str, bool, str]] = [
    ("eMSP", "CPO", "POST …/commands/START_SESSION", False, "body: StartSession"),
    ("CPO", "eMSP", "HTTP 200, status_code 1000", True, "data: CommandResponse ACCEPTED, timeout 30"),
    ("CPO", "Charge Point", "remote start (OCPP)", False, "token, EVSE / connector"),
    ("Charge Point", "CPO", "Accepted", True, ""),
    ("CPO", "eMSP", "POST response_url", False, "body: CommandResult ACCEPTED (no envelope)"),
    ("eMSP", "CPO", "HTTP 200, status_code 1000", True, ""),
    ("CPO", "eMSP", "Session: PUT (spec diagram) or GET", False, "cdr_token, auth_method COMMAND, …"),
]

NOTES = [
    "Only after ACCEPTED does a CommandResult follow; NOT_SUPPORTED or REJECTED end the exchange.",
    "A Charge Point that never answers gives CommandResult TIMEOUT (not FAILED).",
    "No CommandResult within timeout seconds: the eMSP may assume none will come (no retries).",
]


def _text(x: float, y: float, s: str, *, size: int = 13, anchor: str = "middle", cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return (
        f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" text-anchor="{anchor}"{klass}>'
        f"{escape(s)}</text>"
    )


def draw() -> str:
    height = TOP + 20 + STEP * len(MESSAGES) + 20 * len(NOTES) + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" '
        'aria-label="Sequence diagram of a START_SESSION command">',
        "<title>START_SESSION: synchronous CommandResponse, asynchronous CommandResult</title>",
        "<style>text{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',"
        "sans-serif;fill:#1f2937}.detail{fill:#4b5563}.note{fill:#7c2d12}"
        ".lane{stroke:#9ca3af;stroke-width:1.5;stroke-dasharray:4 4}"
        ".msg{stroke:#1d4ed8;stroke-width:2;fill:none}.reply{stroke:#1d4ed8;stroke-width:2;"
        "stroke-dasharray:7 5;fill:none}</style>",
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"9\" "
        "markerHeight=\"9\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" "
        "fill=\"#1d4ed8\"/></marker></defs>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
    ]
    bottom = TOP + 20 + STEP * len(MESSAGES) - 24
    for name, x in LANES.items():
        parts.append(f'<rect x="{x - 70}" y="14" width="140" height="34" rx="6" fill="#e0e7ff" stroke="#4338ca"/>')
        parts.append(_text(x, 36, name, size=15))
        parts.append(f'<line class="lane" x1="{x}" y1="48" x2="{x}" y2="{bottom}"/>')
    y = TOP + 20
    for src, dst, label, dashed, detail in MESSAGES:
        x1, x2 = LANES[src], LANES[dst]
        cls = "reply" if dashed else "msg"
        parts.append(f'<line class="{cls}" x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" marker-end="url(#arrow)"/>')
        mid = (x1 + x2) / 2
        parts.append(_text(mid, y - 8, label))
        if detail:
            parts.append(_text(mid, y + 16, detail, size=11, cls="detail"))
        y += STEP
    # The eMSP's wait: from the CommandResponse until the CommandResult (or the timeout).
    y_resp, y_result = TOP + 20 + STEP, TOP + 20 + 4 * STEP
    bx = LANES["eMSP"] - 12
    parts.append(
        f'<path d="M{bx + 6},{y_resp} H{bx} V{y_result} H{bx + 6}" stroke="#b45309" '
        'stroke-width="2" fill="none"/>'
    )
    parts.append(_text(bx - 6, (y_resp + y_result) / 2 - 6, "waits at most", size=11, anchor="end", cls="note"))
    parts.append(_text(bx - 6, (y_resp + y_result) / 2 + 9, "timeout seconds", size=11, anchor="end", cls="note"))
    ny = y + 4
    for line in NOTES:
        parts.append(_text(30, ny, line, size=12, anchor="start", cls="note"))
        ny += 20
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(draw(), encoding="utf-8")
    print(f"wrote {OUT.name}")
