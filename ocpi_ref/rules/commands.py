"""Rules of the command flow around StartSession (OCPI 2.2.1 §13.1, §13.2, §4).

These are behaviour rules: what the CPO and the eMSP do around a command, over HTTP. The
reference CPO and eMSP (:mod:`ocpi_ref.cpo`, :mod:`ocpi_ref.emsp`) enforce them and their tests demonstrate
them. Each record lists its section in every version that has the rule (2.2 and later: §4
Transport and format, §5 Status codes, §13 Commands; 2.1.1: §3, §4 and §13).
"""

from .model import Kind, Level, Party, VersionText
from .registry import define

RESPONSE_URL_ALLOWED = define(
    id="commands.response-url-allowed",
    title="The CPO calls only response_url hosts it trusts",
    statement=(
        "response_url is chosen by the eMSP, and the CPO POSTs the CommandResult "
        "there; the spec says nothing about which hosts a CPO may call."
    ),
    choice=(
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
        "The Charge Point's answer is sent to response_url by an asynchronous POST if the "
        "synchronous CommandResponse was ACCEPTED; a refused, unsupported or invalid command "
        "has no asynchronous answer."
    ),
    choice=(
        "This reference POSTs that answer exactly once: OCPI neither requires nor allows a "
        "retry (commands.no-retry)."
    ),
    sections={"2.1.1": "13.2.1", "2.2": "13.2.1", "2.2.1": "13.2.1", "2.3.0": "13.2.1"},
    level=Level.DEFINED,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
    quote="sent via an asynchronous POST on the Sender interface if this response is ACCEPTED",
    per_version={
        "2.1.1": VersionText(
            quote="sent via an asynchronous POST on the eMSP interface if this response is ACCEPTED"
        )
    },
)

RESULT_BARE_BODY = define(
    id="commands.result-bare-body",
    title="The CommandResult is a bare body sent with the CPO's credentials",
    statement=(
        "The Sender interface receives the CommandResult as the request body of the CPO's POST "
        "to response_url, not wrapped in a response envelope."
    ),
    choice=(
        "It is a new request from the CPO to the eMSP, so this reference sends it with the "
        "CPO's credentials for that partner (Authorization: Token, encoded as the version "
        "says), a fresh X-Request-ID, the X-Correlation-ID of the command and routing headers "
        "from the CPO to the eMSP: the transport chapter's rules for any request, applied here."
    ),
    sections={"2.2": "13.3.3", "2.2.1": "13.3.3", "2.3.0": "13.3.3"},
    level=Level.DEFINED,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

RESULT_FROM_CHARGE_POINT = define(
    id="commands.result-from-charge-point",
    title="The CommandResult reports the Charge Point's answer",
    statement=(
        "The CommandResult carries a CommandResultType, whose values describe the Charge "
        "Point's answer (OCPI 2.2.1 §13.4.2): ACCEPTED, REJECTED by the Charge Point, FAILED "
        "in execution, EVSE_OCCUPIED, EVSE_INOPERATIVE, TIMEOUT. The spec's sequence diagram "
        "of a remote start the Charge Point refuses shows FAILED."
    ),
    choice=(
        "This reference reports ACCEPTED when the Charge Point starts, FAILED when it refuses "
        "the remote start (as that diagram shows, though REJECTED would also read right), and "
        "EVSE_OCCUPIED or EVSE_INOPERATIVE when the EVSE is busy or out of order."
    ),
    sections={"2.2": "13.1", "2.2.1": "13.1", "2.3.0": "13.1"},
    level=Level.DEFINED,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

ACCEPTED_WITHOUT_CAR = define(
    id="commands.accepted-without-car",
    title="Accepted but no car: ACCEPTED and no Session",
    statement=(
        "The spec's sequence diagram of a remote start without a car shows CommandResult "
        "ACCEPTED (the Charge Point did accept) and no Session. OCPI 2.2 drew FAILED here; "
        "2.2.1 corrected the diagram to ACCEPTED. No sentence of the text states it."
    ),
    choice=(
        "This reference follows the 2.2.1 diagram: a Charge Point that accepts but sees no car "
        "before its own timeout gives ACCEPTED, not TIMEOUT, and no Session follows."
    ),
    sections={"2.2.1": "13.1", "2.3.0": "13.1"},
    level=Level.EXAMPLE,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

TIMEOUT_WHEN_SILENT = define(
    id="commands.timeout-when-silent",
    title="A silent Charge Point gives TIMEOUT while the eMSP still waits",
    statement=(
        "TIMEOUT is the result for a command the Charge Point did not answer in a reasonable "
        "time (the result type's definition)."
    ),
    choice=(
        "This reference reports TIMEOUT after waiting for the Charge Point a shorter time than "
        "the timeout it advertises in the CommandResponse, so the TIMEOUT arrives while the "
        "eMSP is still waiting for it."
    ),
    sections={"2.1.1": "13.4.1", "2.2": "13.4.2", "2.2.1": "13.4.2", "2.3.0": "13.4.2"},
    level=Level.DEFINED,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

NO_RETRY = define(
    id="commands.no-retry",
    title="A failed CommandResult POST is not retried",
    statement=(
        "If the CommandResult POST fails (connection refused, timeout, HTTP error), the CPO "
        "does not queue or retry it: the transport chapter says failed requests should not be "
        "retried. The eMSP learns from the advertised timeout that no result will come."
    ),
    choice="This reference logs the failed POST and does nothing more.",
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
        "Once they have passed without one, the eMSP may take it that none will come."
    ),
    choice="The reference eMSP then reports 'no result'.",
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
        "commands.authorization-encoding). A missing or unknown token SHALL be answered with "
        "HTTP 401."
    ),
    sections={"2.1.1": "3.1.3", "2.2": "4.1.2", "2.2.1": "4.1.2", "2.3.0": "4.1.2"},
    level=Level.SHALL,
    binds=(Party.SENDER,),
    kind=Kind.BEHAVIOUR,
    per_version={
        "2.1.1": VersionText(
            level=Level.POLICY,
            statement=(
                "Every request carries 'Authorization: Token' and a token that identifies the "
                "requesting party; the 2.1.1 text says nothing about how a server answers a "
                "missing or unknown token (only its later document revision d2 adds HTTP 401)."
            ),
            choice=(
                "This reference answers a missing, malformed or unknown token with HTTP 401 in "
                "2.1.1 too, as later versions require."
            ),
        )
    },
)

FROM_HEADERS_MATCH_CREDENTIALS = define(
    id="commands.from-headers-match-credentials",
    title="OCPI-from headers must be a role of the credentials used",
    statement=(
        "Behind a hub the OCPI-from-country-code and OCPI-from-party-id headers name the "
        "party that sent the request, and the Token ownership rule is checked against them. "
        "The spec does not say how a receiver checks them against the credentials used."
    ),
    choice=(
        "They are trusted only when they name one of the roles registered for the credentials "
        "used; otherwise anyone could claim to be another eMSP. This reference answers such a "
        "request with HTTP 403, before it reads the body. This is a deliberate deviation from "
        "the rule that valid JSON at an existing endpoint gets no HTTP error (status codes §5): "
        "the request is refused for who sends it, not for what it says, so it is answered like "
        "the 401 for unknown credentials rather than with a CommandResponse."
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
        "Every request carries a unique X-Request-ID and an X-Correlation-ID, and the response "
        "carries the same values as the request."
    ),
    choice=(
        "The spec does not say what a receiver does with a request that lacks them; this "
        "reference answers with fresh ones."
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
        "Every response is wrapped in the OCPI response format: status_code, timestamp (OCPI "
        "DateTime), and data and status_message where they apply; errors on the HTTP layer "
        "use HTTP status codes with that format too."
    ),
    choice=(
        "This reference answers every outcome in the envelope, its own HTTP 403 and 413 "
        "included."
    ),
    sections={"2.1.1": "3.1.5", "2.2": "4.1.6", "2.2.1": "4.1.7", "2.3.0": "4.1.7"},
    level=Level.DEFINED,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

BODY_SIZE_LIMIT = define(
    id="commands.body-size-limit",
    title="Oversized bodies get HTTP 413",
    statement=(
        "The spec sets no limit on the size of a request body, and says a request "
        "that is valid JSON for an existing resource MUST NOT get an HTTP error (OCPI 2.2.1 §5)."
    ),
    choice=(
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
        "The CPO answers each command it receives with a CommandResponse; "
        "NOT_SUPPORTED is the answer the spec lists for a command it does not support."
    ),
    choice=(
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
        "OCPI 2.1.1 sends the credentials token as it is; 2.2.1 and later send its "
        "Base64 encoding; the 2.2 text says nothing about encoding."
    ),
    choice=(
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
        "OCPI 2.1.1 defines the CommandResponse object but its POST tables show a "
        "bare CommandResponseType string, for the synchronous answer and the asynchronous POST alike."
    ),
    choice=(
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
    statement="The spec says nothing of a response_url whose authority carries user information.",
    choice=(
        "The CPO authenticates its POSTs with the partner's credentials token, never with URL "
        "credentials (http://user:pw@host/x), which an HTTP client may refuse to send: such a "
        "StartSession or StopSession is refused up front (REJECTED, 2001) rather than accepted "
        "with a result that could not be delivered."
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
        "counted from its request; the spec does not say what the CPO does with a later one."
    ),
    choice=(
        "A result whose POST cannot start (or finish) before that deadline, less a tenth of the "
        "timeout (at most 1 s) for the eMSP's earlier clock, is dropped and logged as not "
        "delivered. Each partner has its own delivery lane, so a hanging callback delays only "
        "its own results. In 2.1.1, which advertises no timeout, command_timeout is the deadline."
    ),
    sections={"2.1.1": "13.4.1", "2.2": "13.3.2", "2.2.1": "13.3.2", "2.3.0": "13.3.2"},
    level=Level.POLICY,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

BACKLOG_LIMIT = define(
    id="commands.backlog-limit",
    title="A partner with too many commands under way gets HTTP 429",
    statement="The spec sets no limit on the commands a partner may have under way.",
    choice=(
        "Every accepted command holds memory until its result is delivered or dropped, so the "
        "commands under way per partner are bounded (max_backlog, 1000 by default); past it a "
        "new StartSession or StopSession gets HTTP 429, status 2000, CommandResponse REJECTED."
    ),
    sections={"2.1.1": "4", "2.2": "5", "2.2.1": "5", "2.3.0": "5"},
    level=Level.POLICY,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

BODY_READ_TIMEOUT = define(
    id="commands.body-read-timeout",
    title="A request body not complete in time gets HTTP 408",
    statement="The spec sets no time limit for sending a request body.",
    choice=(
        "A client that sends headers and holds its body back keeps a connection and its buffers: "
        "a body not complete within body_read_timeout seconds (10 by default) gets HTTP 408, "
        "status 2000, and the connection is closed."
    ),
    sections={"2.1.1": "4", "2.2": "5", "2.2.1": "5", "2.3.0": "5"},
    level=Level.POLICY,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

from .command_ids import CORRELATION_ID_TRAVELS  # noqa: E402,F401 - commands.* defined there (size)
