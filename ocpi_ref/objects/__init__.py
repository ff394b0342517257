"""Checkers for the objects around StartSession: envelope, CommandResponse, CommandResult,
Token and the Versions module (:mod:`.check`), and the Versions module's models (:mod:`.models`)."""

from .check import (
    OBJECTS,
    check_command_response,
    check_command_result,
    check_envelope,
    check_object,
    check_token,
    check_version_details,
    check_version_list,
    render,
)

__all__ = [
    "OBJECTS",
    "check_command_response",
    "check_command_result",
    "check_envelope",
    "check_object",
    "check_token",
    "check_version_details",
    "check_version_list",
    "render",
]
