"""A scheme file's TOML text: parsed, with the line of every table header and key so errors can name it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any


class SchemeError(ValueError):
    """A scheme or overlay file is invalid: names the file, the line and what is wrong."""

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = str(path)
        self.line = line
        self.message = message


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_TOML_LINE = re.compile(r"at line (\d+)")


class Source:
    """The text of one file, with the line of every table header so errors can point at a line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.headers: dict[str, list[int]] = {}
        for no, line in enumerate(self.lines, start=1):
            m = _HEADER.match(line)
            if m:
                self.headers.setdefault(m.group(2).replace(" ", ""), []).append(no)

    def table_line(self, table: str, index: int = 0) -> int:
        """The line of the ``index``-th ``[table]``/``[[table]]`` header (1 if it cannot be found)."""
        found = self.headers.get(table, [])
        return found[index] if index < len(found) else 1

    def key_line(self, table: str, index: int, key: str | None) -> int:
        """The line where ``key`` is set inside that table (the header line if not found)."""
        start = self.table_line(table, index) if table else 1
        if key is None:
            return start
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        if not table:
            # Top-level keys are usually tables: point at their header.
            pattern = re.compile(rf"^\s*(?:\[\[?\s*{re.escape(key)}\s*[.\]]|[\"']?{re.escape(key)}[\"']?\s*=)")
        begin = start if table else 0
        for no in range(begin, len(self.lines)):
            text = self.lines[no]
            if table and no >= start and _HEADER.match(text):
                break
            if pattern.match(text):
                return no + 1
        return start

    def fail(self, table: str, index: int, key: str | None, message: str) -> SchemeError:
        """An error located at ``key`` of the ``index``-th ``table``."""
        return SchemeError(self.path, self.key_line(table, index, key), message)


def parse(path: Path) -> tuple[dict[str, Any], Source]:
    """The file's TOML data and its source lines; a syntax error is a SchemeError at the parser's line."""
    text = path.read_text(encoding="utf-8")
    src = Source(path, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_LINE.search(str(exc))
        raise SchemeError(path, int(m.group(1)) if m else 1, f"TOML syntax: {exc}") from None
    return data, src
