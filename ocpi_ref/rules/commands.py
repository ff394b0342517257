"""Rules of the command flow around StartSession (OCPI 2.2.1 §13.1, §13.2, §4).

These are behaviour rules: what the CPO and the eMSP do around a command, over HTTP. The
reference CPO and eMSP (:mod:`ocpi_ref.cpo`, :mod:`ocpi_ref.emsp`) enforce them and their tests demonstrate
them. Each record lists its section in every version that has the rule (2.2 and later: §4
Transport and format, §5 Status codes, §13 Commands; 2.1.1: §3, §4 and §13).
"""

from .model import Basis, Kind, Level, Party, VersionText
from .registry import define
from .transport import (  # noqa: F401 - re-exported: every commands.* record is named here
    CREDENTIALS_REQUIRED,
    FROM_HEADERS_MATCH_CREDENTIALS,
    REQUEST_IDS_ECHOED,
    RESPONSE_ENVELOPE,
    BODY_SIZE_LIMIT,
    AUTHORIZATION_ENCODING,
    BACKLOG_LIMIT,
    BODY_READ_TIMEOUT,
)

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
    quote="OCPI messages SHOULD NOT be queued.",
    keyword="SHOULD NOT",
    per_version={
        "2.1.1": VersionText(
            level=Level.PLAIN, quote="OCPI messages should not be queued.", keyword="should not"
        )
    },
)

UNIQUE_RESPONSE_URL = define(
    id="commands.unique-response-url",
    title="Each command gets its own response_url",
    statement=(
        "The eMSP puts a unique id into every command's response_url, so each CommandResult "
        "arrives at the URL of the one request it answers and cannot be confused with another "
        "running at the same time."
    ),
    notes=("'It is advised' is not the RFC 2119 keyword SHOULD: the spec's word is kept.",),
    sections={"2.1.1": "13.2.2", "2.2": "13.2.2", "2.2.1": "13.2.2", "2.3.0": "13.2.2"},
    level=Level.PLAIN,
    binds=(Party.EMSP,),
    kind=Kind.BEHAVIOUR,
    quote="It is advised to make this URL unique for every request",
    keyword="advised",
)

NO_RESULT_AFTER_TIMEOUT = define(
    id="commands.no-result-after-timeout",
    title="After the advertised timeout the eMSP stops waiting",
    statement=(
        "CommandResponse.timeout says how many seconds the eMSP waits for the CommandResult. "
        "Once they have passed without one, the eMSP may take it that none will come."
    ),
    choice="The reference eMSP then reports 'no result'.",
    notes=("The timeout field's description says 'can assume', not the keyword MAY.",),
    sections={"2.2": "13.3.2", "2.2.1": "13.3.2", "2.3.0": "13.3.2"},
    level=Level.DEFINED,
    binds=(Party.EMSP,),
    kind=Kind.BEHAVIOUR,
    quote="the eMSP can assume that the message might never be send",
    keyword="can",
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
        "name in the path is HTTP 404: it addresses no existing resource, so the rule that "
        "valid JSON gets no HTTP error does not apply (status codes §5)."
    ),
    sections={"2.1.1": "13.4.1", "2.2": "13.4.1", "2.2.1": "13.4.1", "2.3.0": "13.4.1"},
    level=Level.POLICY,
    binds=(Party.CPO,),
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
        "object, as the 2.1.1 document revision d2 settled. A reading, since the text "
        "contradicts itself: a bare string is reported as information, never as an error."
    ),
    sections={"2.1.1": "13.3.1"},
    level=Level.DEFINED,
    basis=Basis.READING,
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

OTHER_TOKEN_NO_REALTIME_AUTH = define(
    id="commands.ocpp-other-token-no-realtime-auth",
    title="OTHER (and EMAID) Tokens: no real-time authorization at the StartSession's Charge Point",
    statement=(
        "The clause's OCPP paragraph names AD_HOC_USER, APP_USER and RFID Tokens only; it says "
        "nothing of OTHER (nor of 2.3.0's EMAID). The flow text's whitelist NEVER example "
        "(Commands §13.1, 2.2.1 and 2.3.0) says the CPO does a real-time authorization of a "
        "StartSession's Token only for an RFID Token whose StartSession is more than 15 minutes old."
    ),
    choice=(
        "A reading: with the flow text, an OTHER or EMAID Token of a StartSession gets no "
        "real-time authorization at the Charge Point of that StartSession. In 2.3.0 it is in "
        "tension with the Tokens module's note that a CPO can contact the issuer of an EMAID "
        "Token for real-time authorization (§12.4.4): that note is about Tokens the CPO meets at "
        "a Charging Station, this reading only about the StartSession's own Token. A verdict "
        "under this rule is a warning, never a FAIL."
    ),
    notes=(
        "OCPI 2.2's flow text said the opposite (whitelist NEVER or ALLOWED_OFFLINE: the CPO "
        "does a real-time authorization); 2.2.1 replaced it. This reference reads every version "
        "as 2.2.1 does.",
    ),
    sections={"2.2": "13.1", "2.2.1": "13.1", "2.3.0": "13.1"},
    level=Level.EXAMPLE,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
    quote="the CPO only does an realtime authorization when the OCPP Authorize request is for an RFID Token",
    basis=Basis.READING,
    per_version={
        "2.2": VersionText(
            quote="the CPO does an realtime authorization",
            choice=(
                "A reading against the 2.2 text: its flow text asks for a real-time authorization "
                "of a whitelist NEVER or ALLOWED_OFFLINE Token, which contradicts the clause's "
                "OCPP paragraph and was replaced in 2.2.1; this reference follows 2.2.1."
            ),
        )
    },
)

AUTH_METHOD_COMMAND = define(
    id="commands.auth-method-command",
    title="A Session started by a StartSession says auth_method COMMAND",
    statement=(
        "AuthMethod COMMAND is defined as authorization by a command like StartSession (CDRs "
        "module). The Session's auth_method may change while it runs (a driver who then taps a "
        "whitelisted card: WHITELIST), and the CDR carries the last method used."
    ),
    choice=(
        "A reading of the definition: a Session started by a StartSession starts with auth_method "
        "COMMAND. No sentence requires it (start-session.token-in-session-and-cdr's SHALL is "
        "about the Token), so another value is a warning, never a failure. This reference's CPO "
        "writes COMMAND."
    ),
    sections={"2.2": "10.4.1", "2.2.1": "10.4.1", "2.3.0": "10.4.1"},
    level=Level.DEFINED,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
    quote="Command like StartSession",
    basis=Basis.READING,
)

UNKNOWN_EVSE_REJECTED = define(
    id="commands.unknown-evse-rejected",
    title="An unknown EVSE or connector: status 2003 and REJECTED",
    statement=(
        "The spec says nothing of a StartSession whose evse_uid or connector_id the CPO does "
        "not know. Status 2003 is 'Unknown Location', and any client error is of the 2xxx class."
    ),
    choice=(
        "This reference answers it like an unknown Location: HTTP 200, status 2003, "
        "CommandResponse REJECTED, and no CommandResult. Another 2xxx code (2001, say) is as "
        "good an answer; start-session.location-of-receiver is about location_id only."
    ),
    sections={"2.1.1": "13.3.3", "2.2": "13.3.5", "2.2.1": "13.3.5", "2.3.0": "13.3.5"},
    level=Level.POLICY,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)

from .command_ids import CORRELATION_ID_TRAVELS  # noqa: E402,F401 - commands.* defined there (size)
