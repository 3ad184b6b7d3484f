"""One TOML table of a scheme file read with typed getters that fail at the key's line; unknown keys refused."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from scoring.toml_source import SchemeError, Source


class Table:
    """One TOML table being read: typed getters that fail with the key's line; unknown keys refused."""

    def __init__(self, src: Source, name: str, index: int, data: Any, allowed: set[str]) -> None:
        self.src, self.name, self.index = src, name, index
        if not isinstance(data, Mapping):
            raise src.fail(name, index, None, f"[{name}] must be a table")
        self.data = data
        for key in data:
            if key not in allowed:
                raise self.fail(key, f"unknown key {key!r} in [{name}] (allowed: {', '.join(sorted(allowed))})")

    @property
    def line(self) -> int:
        """The line of the table's header."""
        return self.src.table_line(self.name, self.index)

    def fail(self, key: str | None, message: str) -> SchemeError:
        """An error at ``key`` of this table (its header when ``key`` is None or not set)."""
        return self.src.fail(self.name, self.index, key, message)

    def str(self, key: str, default: str | None = None, *, choices: tuple[str, ...] = ()) -> str:
        """A non-empty string (one of ``choices`` if given); required unless ``default`` is given."""
        value = self.data.get(key, default)
        if value is None:
            raise self.fail(None, f"[{self.name}] needs {key!r}")
        if not isinstance(value, str) or not value:
            raise self.fail(key, f"{key!r} must be a non-empty string")
        if choices and value not in choices:
            raise self.fail(key, f"{key!r} is {value!r}; expected one of {', '.join(choices)}")
        return value

    def unique_id(self, taken: set[str], default: str | None = None) -> str:
        """The table's ``id``, refused if another table of the scheme already uses it."""
        value = self.str("id", default)
        if value in taken:
            raise self.fail("id", f"duplicate id {value!r}")
        taken.add(value)
        return value

    def opt_str(self, key: str) -> str | None:
        """A non-empty string, or None when the key is not set."""
        return self.str(key) if key in self.data else None

    def num(self, key: str, *, required: bool = False, minimum: Decimal | None = None) -> Decimal | None:
        """A finite number as an exact Decimal (at least ``minimum``), or None when not set and not required."""
        if key not in self.data:
            if required:
                raise self.fail(None, f"[{self.name}] needs {key!r}")
            return None
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"{key!r} must be a number, not {value!r}")
        try:
            dec = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:  # pragma: no cover - tomllib only yields finite or inf/nan floats
            raise self.fail(key, f"{key!r} is not a number") from None
        if not dec.is_finite():
            raise self.fail(key, f"{key!r} must be finite")
        if minimum is not None and dec < minimum:
            raise self.fail(key, f"{key!r} must be at least {minimum}, not {value}")
        return dec

    def int(self, key: str, default: int) -> int:
        """A non-negative integer."""
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(key, f"{key!r} must be a non-negative integer")
        return value

    def bool(self, key: str, default: bool = False) -> bool:
        """true or false."""
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, f"{key!r} must be true or false")
        return value

    def strs(self, key: str, *, required: bool = False) -> tuple[str, ...]:
        """A string or a list of strings (non-empty if ``required``)."""
        if key not in self.data:
            if required:
                raise self.fail(None, f"[{self.name}] needs {key!r}")
            return ()
        value = self.data[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(key, f"{key!r} must be a string or a list of strings")
        if required and not value:
            raise self.fail(key, f"{key!r} must not be empty")
        return tuple(value)

    def tables(self, key: str) -> list[Any]:
        """The raw tables of an array of tables ``[[name.key]]`` (empty if none)."""
        value = self.data.get(key, [])
        if not isinstance(value, list):
            raise self.fail(key, f"{key!r} must be an array of tables ([[{self.name}.{key}]])")
        return value


class Counter:
    """Running indexes of array-of-tables headers in document order (to find their lines)."""

    def __init__(self) -> None:
        self.n: dict[str, int] = {}

    def next(self, name: str) -> int:
        """The index of the next ``name`` header."""
        i = self.n.get(name, 0)
        self.n[name] = i + 1
        return i
