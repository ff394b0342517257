"""The OCPI 2.2.1 specification's own JSON examples, verbatim (see spec_examples/NOTICE.md).

The spec has no StartSession example; these are the Token examples and the envelope examples
a StartSession and its replies are built from. Their text is CC BY-ND 4.0 and is never edited:
:func:`spec_example_bytes` returns the file exactly as published.
"""

from __future__ import annotations

import json
from importlib.resources import files
from collections.abc import Callable
from typing import Any

__all__ = ["SPEC_EXAMPLES", "example_reader", "spec_example", "spec_example_bytes"]

#: Names of the bundled examples (file names without ``.json``).
SPEC_EXAMPLES = (
    "token_example_1_app_user",
    "token_example_2_full_rfid",
    "token_put_example",
    "token_patch_example",
    "transport_and_format_get_token_example",
    "type_displaytext_example",
)

ATTRIBUTION = (
    "OCPI 2.2.1 examples/{name}.json, © 2014 – 2021 EVRoaming Foundation, "
    "CC BY-ND 4.0, unmodified"
)


def example_reader(package: str, names: tuple[str, ...]) -> tuple[Callable[[str], bytes], Callable[[str], Any]]:
    """The ``spec_example_bytes`` and ``spec_example`` functions of one version's bundled examples."""

    def spec_example_bytes(name: str) -> bytes:
        """The example file's bytes, exactly as in the spec repository."""
        if name not in names:
            raise KeyError(f"no spec example {name!r}; known: {', '.join(names)}")
        return files(package).joinpath("spec_examples", f"{name}.json").read_bytes()

    def spec_example(name: str) -> Any:
        """The example parsed as JSON."""
        return json.loads(spec_example_bytes(name))

    return spec_example_bytes, spec_example


spec_example_bytes, spec_example = example_reader(__package__, SPEC_EXAMPLES)
