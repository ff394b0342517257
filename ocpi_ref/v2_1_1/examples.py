"""The OCPI 2.1.1 specification's own Token examples, verbatim (see spec_examples/NOTICE.md)."""

from __future__ import annotations

from ..v2_2_1.examples import example_reader

__all__ = ["SPEC_EXAMPLES", "spec_example", "spec_example_bytes"]

SPEC_EXAMPLES = (
    "token_object_example",
    "token_put_example",
    "token_patch_example",
    "transport_and_format_get_token_example",
)

ATTRIBUTION = "OCPI 2.1.1 {name} (see NOTICE.md), © 2014 – 2017 NKL, CC BY-ND 4.0, unmodified"

spec_example_bytes, spec_example = example_reader(__package__, SPEC_EXAMPLES)
