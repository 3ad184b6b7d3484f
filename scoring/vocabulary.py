"""The shared words of scheme and agency files: unit types, levels, event kind names (vocabulary.yaml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "schemes" / "vocabulary.yaml"
FILE_NAME = "vocabulary.yaml"


class VocabularyError(ValueError):
    """The vocabulary file is missing or malformed (names the file)."""


@dataclass(frozen=True)
class Vocabulary:
    """Unit types and levels (code → Chinese name) and Chinese names of event kinds."""

    types: dict[str, str] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    source: str = ""

    def type_name(self, code: str) -> str:
        """The Chinese name of a unit type (the code itself if unknown)."""
        return self.types.get(code, code)

    def kind_name(self, kind: str) -> str:
        """The Chinese name of an event kind (the kind itself if none is given)."""
        return self.kinds.get(kind, kind)


@lru_cache(maxsize=8)
def _read(path: str, mtime: float) -> Vocabulary:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise VocabularyError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise VocabularyError(f"{path}: expected tables types, levels, kinds")
    out: dict[str, dict[str, str]] = {}
    for key in ("types", "levels", "kinds"):
        section = data.get(key) or {}
        if not isinstance(section, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                    for k, v in section.items()):
            raise VocabularyError(f"{path}: {key!r} must map codes to names")
        out[key] = dict(section)
    return Vocabulary(out["types"], out["levels"], out["kinds"], path)


def load_vocabulary(path: Path | str | None = None) -> Vocabulary:
    """The vocabulary at ``path`` (default: the repository's ``schemes/vocabulary.yaml``)."""
    p = Path(path) if path is not None else DEFAULT_PATH
    if not p.exists():
        raise VocabularyError(f"{p}: vocabulary file not found")
    return _read(str(p), p.stat().st_mtime)


def vocabulary_for(scheme_path: Path) -> Vocabulary:
    """The vocabulary next to a scheme file, else the repository's."""
    near = scheme_path.with_name(FILE_NAME)
    return load_vocabulary(near if near.exists() else None)
