"""Rules of converting a StartSession between OCPI versions (this reference's policy).

The spec does not define conversion; a hub or a multi-version CPO does it anyway. These
records name what :mod:`ocpi_ref.convert` reports, so that nothing is ever dropped or
rewritten silently: every loss is a finding with a JSON pointer and one of these ids.
"""

from .model import Kind, Level, Party
from .registry import define

_START_SESSION = {"2.1.1": "13.3.3", "2.2": "13.3.5", "2.2.1": "13.3.5", "2.3.0": "13.3.5"}

FIELD_DROPPED = define(
    id="convert.field-dropped",
    title="A field the target version lacks is dropped and listed",
    statement=(
        "The spec does not define converting a StartSession between versions; each "
        "version's field table lists the fields that version has, and later versions add fields."
    ),
    choice=(
        "When the target version has no such field (connector_id before 2.2.1, "
        "authorization_reference and the Token's owner, group_id, default_profile_type and "
        "energy_contract before 2.2), the value cannot travel; the conversion leaves it out "
        "and lists it as a loss, with its pointer and value."
    ),
    sections=_START_SESSION,
    level=Level.POLICY,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
)

VALUE_REPLACED = define(
    id="convert.value-replaced",
    title="An enum value the target version lacks becomes OTHER and is listed",
    statement=(
        "The spec does not define conversion; each version's TokenType lists its "
        "own values, and OTHER stands for any other kind of Token."
    ),
    choice=(
        "A TokenType value the target version does not list (AD_HOC_USER and APP_USER going "
        "to 2.1.1; EMAID or an unlisted OpenEnum value going from 2.3.0 to 2.2.1) is "
        "replaced by OTHER, the spec's value for any other kind of Token, and the original "
        "value is listed as a loss."
    ),
    sections={"2.1.1": "12.4.3", "2.2": "12.4.4", "2.2.1": "12.4.4", "2.3.0": "12.4.4"},
    level=Level.POLICY,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
)

OWNER_FROM_CONTEXT = define(
    id="convert.owner-from-context",
    title="Upgrading a 2.1.1 Token needs its owner from context",
    statement=(
        "A 2.1.1 Token has no country_code or party_id: its owner is the party "
        "whose credentials sent it (the Tokens module's URL segments), while 2.2 and later require them."
    ),
    choice=(
        "A 2.1.1 Token has no country_code or party_id: its owner is the party whose "
        "credentials sent it. Upgrading a 2.1.1 StartSession to 2.2 or later therefore takes "
        "the owner as an argument; without it the conversion is refused, never guessed."
    ),
    sections={"2.1.1": "12.3.2", "2.2": "12.3.2", "2.2.1": "12.3.2", "2.3.0": "12.3.2"},
    level=Level.POLICY,
    binds=(Party.SENDER,),
    kind=Kind.CONTEXT,
)

NOT_REPRESENTABLE = define(
    id="convert.not-representable",
    title="A required value the target version cannot hold stops the conversion",
    statement=(
        "The spec does not define conversion; a 2.1.1 location_id is a "
        "string(39) where 2.2 has CiString(36), and a 2.1.1 string is ASCII where 2.2 allows UTF-8."
    ),
    choice=(
        "When a required value cannot be written in the target version (a 2.1.1 location_id "
        "or evse_uid longer than 36 characters going to CiString(36); a required text with "
        "characters outside ASCII going to 2.1.1), there is no honest way to convert: the "
        "conversion is refused with the pointer of that value. An optional text that cannot "
        "be written is dropped and listed instead (convert.field-dropped)."
    ),
    sections=_START_SESSION,
    level=Level.POLICY,
    binds=(Party.SENDER,),
    kind=Kind.PAYLOAD,
)
