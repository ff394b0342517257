"""Transport rules around the commands endpoint: credentials, request ids, the envelope, and
what the reference CPO refuses at HTTP level (OCPI 2.2.1 §4 Transport and format, §5 Status
codes; 2.1.1: §3 and §4).

Each HTTP-level refusal says its basis: an answer the spec requires (401), this reference's
choice where the spec is silent (408, the backlog's REJECTED), or a deliberate deviation from
"a HTTP error MUST NOT be returned" with its reason (413, 403). :mod:`.commands` re-exports
every record, so ``ocpi_ref.rules.commands`` keeps naming them all.
"""

from .model import Basis, Kind, Level, Party, VersionText
from .registry import define

CREDENTIALS_REQUIRED = define(
    id="commands.credentials-required",
    title="Requests need known credentials",
    statement=(
        "Every request carries 'Authorization: Token' followed by a credentials token the "
        "receiver issued (how it is encoded depends on the version: "
        "commands.authorization-encoding). A missing or unknown token SHALL be answered with "
        "HTTP 401 by the server: the CPO for a command, the eMSP for a CommandResult."
    ),
    sections={"2.1.1": "3.1.3", "2.2": "4.1.2", "2.2.1": "4.1.2", "2.3.0": "4.1.2"},
    level=Level.SHALL,
    binds=(Party.CPO, Party.EMSP),
    kind=Kind.BEHAVIOUR,
    quote="the server SHALL respond with an HTTP `401 - Unauthorized` status code",
    keyword="SHALL",
    per_version={
        "2.1.1": VersionText(
            level=Level.POLICY,
            quote="",
            keyword="",
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
    basis=Basis.DEVIATION,
)


REQUEST_IDS_ECHOED = define(
    id="commands.request-ids-echoed",
    title="X-Request-ID and X-Correlation-ID come back",
    statement=(
        "Every request carries a unique X-Request-ID and an X-Correlation-ID, and the response "
        "carries the same values as the request: the CPO's answers to commands and its "
        "CommandResult POSTs, the eMSP's commands and its answers to those POSTs."
    ),
    choice=(
        "The spec does not say what a receiver does with a request that lacks them; this "
        "reference answers with fresh ones."
    ),
    sections={"2.2": "4.2", "2.2.1": "4.2", "2.3.0": "4.2"},
    level=Level.SHALL,
    binds=(Party.CPO, Party.EMSP),
    kind=Kind.BEHAVIOUR,
    quote="Every request SHALL contain a unique request ID, the response to this request SHALL contain the same ID.",
    keyword="SHALL",
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
    basis=Basis.DEVIATION,
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
    per_version={
        "2.2.1": VersionText(
            level=Level.DEFINED, quote="It contains the 'credentials token' Base64 encoded."
        ),
        "2.3.0": VersionText(
            level=Level.SHALL,
            quote="After the literal 'Token', there SHALL be one space, followed by the 'encoded token'.",
            keyword="SHALL",
        ),
    },
)

BACKLOG_LIMIT = define(
    id="commands.backlog-limit",
    title="A partner with too many commands under way gets REJECTED",
    statement=(
        "The spec sets no limit on the commands a partner may have under way, and says a "
        "request that is valid JSON for an existing resource MUST NOT get an HTTP error "
        "(status codes §5; 2.1.1: 'should'). REJECTED is the CommandResponse for a command "
        "the receiver will not take."
    ),
    choice=(
        "Every accepted command holds memory until its result is delivered or dropped, so the "
        "commands under way per partner are bounded (max_backlog, 1000 by default), and fewer "
        "when the partner's callback is slow: a command is admitted only while the lane's "
        "measured pace can still POST every result under way before its deadline, so ACCEPTED "
        "keeps meaning 'you will hear back'. Past either bound a "
        "new StartSession or StopSession gets HTTP 200, status 2000, CommandResponse REJECTED "
        "with a message naming the limit, and no CommandResult follows. No HTTP 429: the "
        "request is valid JSON to an existing resource."
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
        "status 2000, and the connection is closed. A body that has not arrived is not yet "
        "syntactically valid JSON, so the rule that valid JSON gets no HTTP error (status codes "
        "§5) does not apply: no deviation."
    ),
    sections={"2.1.1": "4", "2.2": "5", "2.2.1": "5", "2.3.0": "5"},
    level=Level.POLICY,
    binds=(Party.CPO,),
    kind=Kind.BEHAVIOUR,
)
