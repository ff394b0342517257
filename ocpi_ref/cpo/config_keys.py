"""Which keys of a configuration nobody read: a typo never changes behaviour silently.

The parser of :mod:`.config` reads the TOML through :func:`track`, whose tables remember every
key asked for, present or not. A key present in the file that the parser never asked for is
unknown; the key meant is the closest one the parser asked for in the same table (difflib).
Because the known keys are whatever the parser reads, a key added to the parser is known
without a second list to keep in step.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..findings import pointer

__all__ = ["Tracked", "known_keys_only", "track", "typos", "unknown_keys"]


class Tracked(dict):  # type: ignore[type-arg]
    """A TOML table (still a dict, so it serializes as one) that records the keys asked for."""

    def __init__(self, data: dict[str, Any], where: str) -> None:
        super().__init__({k: track(v, where + pointer(k)) for k, v in data.items()})
        self.where = where
        self.asked: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.asked.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.asked.add(key)
        return super().__contains__(key)

    def __iter__(self) -> Iterator[str]:  # whoever walks every key reads every key
        self.asked.update(dict.keys(self))
        return super().__iter__()

    def items(self) -> Any:
        self.asked.update(dict.keys(self))
        return super().items()

    def values(self) -> Any:
        self.asked.update(dict.keys(self))
        return super().values()


def track(value: Any, where: str = "") -> Any:
    """*value* with every table (at any depth, in arrays too) replaced by a :class:`Tracked`."""
    if isinstance(value, dict):
        return Tracked(value, where)
    if isinstance(value, list):
        return [track(v, f"{where}/{i}") for i, v in enumerate(value)]
    return value


def _tables(value: Any) -> Iterator[Tracked]:
    if isinstance(value, Tracked):
        yield value
        for v in dict.values(value):
            yield from _tables(v)
    elif isinstance(value, list):
        for v in value:
            yield from _tables(v)


def _meant(table: Tracked, key: str) -> str | None:
    close = difflib.get_close_matches(key, sorted(table.asked - {key}), n=1, cutoff=0.6)
    return close[0] if close else None


def _message(table: Tracked, key: str) -> str:
    meant = _meant(table, key)
    hint = f"; did you mean `{meant}`?" if meant else ""
    return f"{table.where}{pointer(key)}: unknown key {key!r}{hint}"


def unknown_keys(root: Any) -> list[str]:
    """One message per key of *root* (from :func:`track`) that was never asked for, in file order.

    Call it after parsing. A table the parser asked nothing of is left alone: either it sits
    under a key already reported, or the parser kept it whole.
    """
    return [_message(t, k) for t in _tables(root) if t.asked for k in dict.keys(t) if k not in t.asked]


def typos(root: Any) -> list[str]:
    """The unknown keys that look like a key the parser asked for and did not find.

    For a parse that stopped on an error: such a typo is the likely cause (``comand_timeout``
    left ``command_timeout`` at its default), so it is worth saying first.
    """
    out = []
    for t in _tables(root):
        for k in dict.keys(t):
            meant = _meant(t, k) if k not in t.asked else None
            if meant is not None and not dict.__contains__(t, meant) and _near(k, meant):
                out.append(_message(t, k))
    return out


def _near(key: str, meant: str) -> bool:
    """Close enough to be a slip of the keyboard, not another key the parser had yet to read
    (``callback_timeout`` is not a typo of ``command_timeout``; ``cop`` is one of ``cpo``)."""
    return sorted(key) == sorted(meant) or difflib.SequenceMatcher(None, key, meant).ratio() >= 0.8


def known_keys_only(error: type[Exception]) -> Callable[[Callable[[Mapping[str, Any]], Any]], Callable[[Mapping[str, Any]], Any]]:
    """A parser of a TOML mapping, refusing every key it did not read (``error(message)``);
    when the parser fails, a typo of a key it missed is said first, since it is the likely cause."""

    def decorate(parse: Callable[[Mapping[str, Any]], Any]) -> Callable[[Mapping[str, Any]], Any]:
        @functools.wraps(parse)
        def checked(raw: Mapping[str, Any]) -> Any:
            tracked = track(dict(raw) if isinstance(raw, Mapping) else raw)
            try:
                config = parse(tracked)
            except error as exc:  # type: ignore[misc]
                likely = typos(tracked)
                if likely:
                    raise error(f"{'; '.join(likely)} (and so: {exc})") from None
                raise
            unknown = unknown_keys(tracked)
            if unknown:
                raise error("; ".join(unknown))
            return config

        return checked

    return decorate
