"""`ogi backup` → change things → `ogi restore` → `ogi audit verify`, on SQLite and PostgreSQL: the
requests, their event chains and the data directories (attachments, calendars, e-seals) come back."""

from __future__ import annotations

import stat
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app
from service.requests.models import RequestRecord
from service.settings import get_settings
from tests.test_sweep_service import _count, _register


@pytest.fixture
def data_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Attachments, calendars and seals with a file in each (in tmp, never var/)."""
    from service.backup.service import data_directories

    monkeypatch.setenv("OGI_STORAGE_DIR", str(tmp_path / "files"))
    get_settings.cache_clear()
    dirs = data_directories()
    if "files" not in dirs:  # before the attachments setting exists, var/files* would be used: keep out
        monkeypatch.setattr("service.backup.service.data_directories",
                            lambda settings=None: {**dirs, "files": tmp_path / "files"})
        dirs = {**dirs, "files": tmp_path / "files"}
    for name, folder in dirs.items():
        (folder / "sub").mkdir(parents=True, exist_ok=True)
        (folder / "sub" / f"{name}.bin").write_bytes(name.encode() * 10)
    return dirs


def test_backup_restore_verify(world, db_url, tmp_path: Path, data_dirs: dict[str, Path]) -> None:
    runner = CliRunner()
    first = _register(db_url, datetime(2026, 9, 21, 2, tzinfo=UTC), "2026-09-22")
    archive = tmp_path / "out" / "ogi-backup.tar.gz"
    result = runner.invoke(app, ["backup", "--out", str(archive)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and any(n.startswith("database.") for n in names)
    assert not any("secret_key" in n for n in names)  # keys are kept apart from the data

    # After the backup: another request, a lost file, a changed seal.
    _register(db_url, datetime(2026, 9, 23, 2, tzinfo=UTC), "2026-09-24")
    assert _count(db_url, RequestRecord) == 2
    for folder in data_dirs.values():
        (folder / "sub" / f"{folder.name}.bin").unlink(missing_ok=True)
    (data_dirs["seals"] / "late.png").write_bytes(b"x")

    refused = runner.invoke(app, ["restore", str(archive)])
    assert refused.exit_code == 2 and "--yes" in refused.output
    assert _count(db_url, RequestRecord) == 2  # nothing touched without --yes

    result = runner.invoke(app, ["restore", str(archive), "--yes"])
    assert result.exit_code == 0, result.output
    assert _count(db_url, RequestRecord) == 1
    assert _count(db_url, RequestRecord, id=first) == 1
    for name, folder in data_dirs.items():
        assert (folder / "sub" / f"{name}.bin").read_bytes() == name.encode() * 10
    assert not (data_dirs["seals"] / "late.png").exists()
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    # The restored database takes new work as before (counters, chains).
    _register(db_url, datetime(2026, 9, 25, 2, tzinfo=UTC), "2026-09-25")
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0


def test_restore_refuses_what_is_not_a_backup(db_url, tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar")
    result = CliRunner().invoke(app, ["restore", str(junk), "--yes"])
    assert result.exit_code == 2 and "not an OGI Desk backup" in result.output
