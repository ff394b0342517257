"""Rules of the command flow around StartSession (OCPI 2.2.1 §13.1, §13.2, §4).

These are behaviour rules: what the CPO and the eMSP do around a command, over HTTP. The
reference CPO and eMSP (:mod:`ocpi_ref.cpo`, :mod:`ocpi_ref.emsp`) enforce them and their tests demonstrate
them. Each record lists its section in every version that has the rule (2.2 and later: §4
Transport and format, §5 Status codes, §13 Commands; 2.1.1: §3, §4 and §13).
"""

from .model import Kind, Level, Party
from .registry import define

RESPONSE_URL_ALLOWED = define(
    id="commands.response-url-allowed",
    title="The CPO calls only response_url hosts it trusts",
    statement=(
        "response_url is chosen by the caller, so a CPO that POSTs wherever it is told can be "
        "made to call hosts inside its own network (server-side request forgery). This "
        "reference refuses, up front, a StartSession whose response_url host is not among the "
        "hosts configured for that partner."
    ),
    sections={"2.1.1": "13.2.2", "2.2": "13.2.2", "2.2.1": "13.2.2", "2.3.0": "13.2.2"},
    level=Level.POLICY,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

RESULT_AFTER_ACCEPTED = define(
    id="commands.result-after-accepted",
    title="One CommandResult, and only after ACCEPTED",
    statement=(
        "The CPO POSTs a CommandResult to response_url only when its synchronous "
        "CommandResponse was ACCEPTED, and then exactly once. A refused, unsupported or "
        "invalid command never leads to a CommandResult."
    ),
    sections={"2.1.1": "13.2.1", "2.2": "13.1", "2.2.1": "13.1", "2.3.0": "13.1"},
    level=Level.SHALL,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

RESULT_BARE_BODY = define(
    id="commands.result-bare-body",
    title="The CommandResult is a bare body sent with the CPO's credentials",
    statement=(
        "The asynchronous CommandResult is the request body itself, not wrapped in a response "
        "envelope. It is a new request from the CPO to the eMSP, so it carries the CPO's "
        "credentials for that partner (Authorization: Token and the Base64 of the token), a "
        "fresh X-Request-ID, the X-Correlation-ID of the command, and routing headers from "
        "the CPO to the eMSP."
    ),
    sections={"2.2": "13.3.3", "2.2.1": "13.3.3", "2.3.0": "13.3.3"},
    level=Level.SHALL,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

RESULT_FROM_CHARGE_POINT = define(
    id="commands.result-from-charge-point",
    title="The CommandResult reports the Charge Point's answer",
    statement=(
        "The CommandResult says what the Charge Point answered: ACCEPTED when it starts, "
        "FAILED when it refuses the remote start (as the spec's sequence diagram for a "
        "refused start shows), EVSE_OCCUPIED or EVSE_INOPERATIVE when the EVSE is busy or "
        "out of order."
    ),
    sections={"2.2": "13.1", "2.2.1": "13.1", "2.3.0": "13.1"},
    level=Level.SHALL,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

ACCEPTED_WITHOUT_CAR = define(
    id="commands.accepted-without-car",
    title="Accepted but no car: ACCEPTED and no Session",
    statement=(
        "A Charge Point that accepts the remote start but sees no car plugged in before its "
        "own timeout gives CommandResult ACCEPTED (it did accept), not TIMEOUT, and no Session "
        "follows. OCPI 2.2 drew FAILED here; 2.2.1 corrected the diagram to ACCEPTED."
    ),
    sections={"2.2.1": "13.1", "2.3.0": "13.1"},
    level=Level.SHALL,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

TIMEOUT_WHEN_SILENT = define(
    id="commands.timeout-when-silent",
    title="A silent Charge Point gives TIMEOUT while the eMSP still waits",
    statement=(
        "When the Charge Point does not answer in reasonable time, the CPO reports "
        "CommandResult TIMEOUT. This reference waits for the Charge Point a shorter time than "
        "the timeout it advertises in the CommandResponse, so the TIMEOUT arrives while the "
        "eMSP is still waiting for it."
    ),
    sections={"2.1.1": "13.4.1", "2.2": "13.4.2", "2.2.1": "13.4.2", "2.3.0": "13.4.2"},
    level=Level.SHALL,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

NO_RETRY = define(
    id="commands.no-retry",
    title="A failed CommandResult POST is not retried",
    statement=(
        "If the CommandResult POST fails (connection refused, timeout, HTTP error), the CPO "
        "does not queue or retry it; it logs the failure. The eMSP learns from the advertised "
        "timeout that no result will come."
    ),
    sections={"2.1.1": "3.3", "2.2": "4.4", "2.2.1": "4.4", "2.3.0": "4.4"},
    level=Level.SHOULD_NOT,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

UNIQUE_RESPONSE_URL = define(
    id="commands.unique-response-url",
    title="Each command gets its own response_url",
    statement=(
        "The eMSP puts a unique id into every command's response_url, so each CommandResult "
        "arrives at the URL of the one request it answers and cannot be confused with another "
        "running at the same time."
    ),
    sections={"2.1.1": "13.2.2", "2.2": "13.2.2", "2.2.1": "13.2.2", "2.3.0": "13.2.2"},
    level=Level.SHOULD,
    binds=(Party.EMSP,),
    kind=Kind.BEHAVIOUR,
)

NO_RESULT_AFTER_TIMEOUT = define(
    id="commands.no-result-after-timeout",
    title="After the advertised timeout the eMSP stops waiting",
    statement=(
        "CommandResponse.timeout says how many seconds the eMSP waits for the CommandResult. "
        "Once they have passed without one, the eMSP may take it that none will come; this "
        "reference reports 'no result'."
    ),
    sections={"2.2": "13.3.2", "2.2.1": "13.3.2", "2.3.0": "13.3.2"},
    level=Level.MAY,
    binds=(Party.EMSP,),
    kind=Kind.BEHAVIOUR,
)

CREDENTIALS_REQUIRED = define(
    id="commands.credentials-required",
    title="Requests need known credentials",
    statement=(
        "Every request carries 'Authorization: Token' followed by a credentials token the "
        "receiver issued (how it is encoded depends on the version: "
        "commands.authorization-encoding). A missing, malformed or unknown token is answered "
        "with HTTP 401."
    ),
    sections={"2.1.1": "3.1.3", "2.2": "4.1.2", "2.2.1": "4.1.2", "2.3.0": "4.1.2"},
    level=Level.SHALL,
    binds=(Party.SENDER,),
    kind=Kind.BEHAVIOUR,
)

FROM_HEADERS_MATCH_CREDENTIALS = define(
    id="commands.from-headers-match-credentials",
    title="OCPI-from headers must be a role of the credentials used",
    statement=(
        "Behind a hub the OCPI-from-country-code and OCPI-from-party-id headers name the "
        "party that sent the request, and the Token ownership rule is checked against them. "
        "They are trusted only when they name one of the roles registered for the credentials "
        "used; otherwise anyone could claim to be another eMSP. This reference answers such a "
        "request with HTTP 403."
    ),
    sections={"2.2": "4.1.7.2", "2.2.1": "4.1.8.2", "2.3.0": "4.1.9.2"},
    level=Level.POLICY,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

REQUEST_IDS_ECHOED = define(
    id="commands.request-ids-echoed",
    title="X-Request-ID and X-Correlation-ID come back",
    statement=(
        "The response to a request carries the same X-Request-ID and X-Correlation-ID as the "
        "request; a request without them gets fresh ones."
    ),
    sections={"2.2": "4.2", "2.2.1": "4.2", "2.3.0": "4.2"},
    level=Level.SHALL,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

RESPONSE_ENVELOPE = define(
    id="commands.response-envelope",
    title="Every response is a complete OCPI envelope",
    statement=(
        "Whatever the outcome, including HTTP 400, 401, 403, 404 and 413, the response body is "
        "the OCPI response format: status_code, timestamp (OCPI DateTime), and data and "
        "status_message where they apply."
    ),
    sections={"2.1.1": "3.1.5", "2.2": "4.1.6", "2.2.1": "4.1.7", "2.3.0": "4.1.7"},
    level=Level.SHALL,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

BODY_SIZE_LIMIT = define(
    id="commands.body-size-limit",
    title="Oversized bodies get HTTP 413",
    statement=(
        "A request body larger than the configured limit (16 KiB by default; a StartSession "
        "is a few hundred bytes) is answered with HTTP 413 before it is read further. This is "
        "a deliberate deviation from the rule that valid JSON gets no HTTP error: it protects "
        "the server."
    ),
    sections={"2.1.1": "4", "2.2": "5", "2.2.1": "5", "2.3.0": "5"},
    level=Level.POLICY,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

OTHER_COMMANDS_NOT_SUPPORTED = define(
    id="commands.other-commands-not-supported",
    title="Commands the reference does not implement answer NOT_SUPPORTED",
    statement=(
        "RESERVE_NOW, CANCEL_RESERVATION and UNLOCK_CONNECTOR are answered with status 1000 "
        "and CommandResponse NOT_SUPPORTED, and no CommandResult follows; an unknown command "
        "name in the path is HTTP 404."
    ),
    sections={"2.1.1": "13.4.1", "2.2": "13.4.1", "2.2.1": "13.4.1", "2.3.0": "13.4.1"},
    level=Level.POLICY,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

AUTHORIZATION_ENCODING = define(
    id="commands.authorization-encoding",
    title="Plain or Base64 credentials token, by version and partner",
    statement=(
        "OCPI 2.1.1 sends the credentials token as it is; 2.2.1 and later send its Base64 "
        "encoding; the 2.2 text says nothing, and many 2.2 implementations send it plain. This "
        "reference matches an incoming header against both the raw value and its Base64 "
        "decoding where the version or the partner's configuration allows both, and encodes "
        "what it sends as the partner's version or configuration says."
    ),
    sections={"2.1.1": "3.1.3", "2.2": "4.1.2", "2.2.1": "4.1.2", "2.3.0": "4.1.2"},
    level=Level.POLICY,
    binds=(Party.CPO, Party.EMSP),
    kind=Kind.BEHAVIOUR,
)

V211_RESPONSE_EITHER_SHAPE = define(
    id="commands.v211-response-either-shape",
    title="OCPI 2.1.1: a CommandResponse as object or bare string",
    statement=(
        "OCPI 2.1.1 defines the CommandResponse object ({\"result\": ...}) but its POST tables "
        "show a bare CommandResponseType string, for the synchronous answer and for the "
        "asynchronous POST alike. A 2.1.1 reader accepts both shapes; this reference sends the "
        "object, as the 2.1.1 document revision d2 settled."
    ),
    sections={"2.1.1": "13.3.1"},
    level=Level.POLICY,
    binds=(Party.CPO, Party.EMSP),
    kind=Kind.PAYLOAD,
)

RESPONSE_URL_NO_USERINFO = define(
    id="commands.response-url-no-userinfo",
    title="A response_url with user information is refused up front",
    statement=(
        "A response_url such as http://user:pw@host/x carries credentials in its authority. The "
        "CPO authenticates its POSTs with the partner's credentials token, never with URL "
        "credentials, and an HTTP client may refuse to send both; so this reference refuses "
        "such a StartSession or StopSession up front (REJECTED, status 2001) instead of "
        "accepting a command whose result it could not deliver. The spec is silent: this is "
        "this reference's policy."
    ),
    sections={"2.1.1": "13.2.2", "2.2": "13.2.2", "2.2.1": "13.2.2", "2.3.0": "13.2.2"},
    level=Level.POLICY,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

RESULT_BEFORE_DEADLINE = define(
    id="commands.result-before-deadline",
    title="A result that cannot be sent before the advertised timeout is dropped, never sent late",
    statement=(
        "The CommandResponse timeout tells the eMSP how long to wait for the CommandResult, "
        "counted from its request. A result whose POST cannot start before that deadline "
        "(its partner's delivery lane is busy), or cannot finish before it, would reach an "
        "eMSP that has stopped waiting: this reference drops it and logs it as not delivered. "
        "The deadline is counted from the command's receipt, less a tenth of the timeout (at "
        "most one second), since the eMSP's clock started a little earlier. "
        "Each partner has its own delivery lane, so a partner whose callback hangs delays only "
        "its own results. In 2.1.1, which advertises no timeout, the configured "
        "command_timeout is the deadline. This is this reference's policy."
    ),
    sections={"2.1.1": "13.4.1", "2.2": "13.3.2", "2.2.1": "13.3.2", "2.3.0": "13.3.2"},
    level=Level.POLICY,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

BACKLOG_LIMIT = define(
    id="commands.backlog-limit",
    title="A partner with too many commands under way gets HTTP 429",
    statement=(
        "Every accepted command holds memory until its result is delivered or dropped. This "
        "reference bounds the commands under way per partner (max_backlog, 1000 by default); "
        "when a partner's backlog is full, a new StartSession or StopSession is answered with "
        "HTTP 429 and status 2000, its CommandResponse REJECTED, so the backlog does not grow. "
        "The spec sets no such limit: the size and the answer are this reference's choice."
    ),
    sections={"2.1.1": "4", "2.2": "5", "2.2.1": "5", "2.3.0": "5"},
    level=Level.POLICY,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

BODY_READ_TIMEOUT = define(
    id="commands.body-read-timeout",
    title="A request body not complete in time gets HTTP 408",
    statement=(
        "A client that sends headers and then holds its body back keeps a connection and its "
        "buffers. This reference reads a request body for at most body_read_timeout seconds "
        "(10 by default); a body not complete by then is answered with HTTP 408 and status "
        "2000, and the connection is closed. The spec is silent: the limit is this "
        "reference's choice."
    ),
    sections={"2.1.1": "4", "2.2": "5", "2.2.1": "5", "2.3.0": "5"},
    level=Level.POLICY,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)
