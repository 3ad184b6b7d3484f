"""Backups: one ``.tar.gz`` holding the database and the directories whose files the database refers to.

* SQLite is copied with its online backup API, from a live connection: the copy is consistent and
  includes what is still in the WAL, while the service keeps running.
* PostgreSQL goes through ``pg_dump --format=custom`` (the schema in use only) and comes back with
  ``pg_restore --clean --if-exists``; the client tools (Debian's ``postgresql-client``) must be of the
  server's major version or newer.
* Directories: attachments (``settings.storage_dir`` when the setting exists, else every ``var/files*``
  folder), installed calendars (``settings.calendar_dir``) and agencies' e-seals (``settings.seal_dir``).
* Not included: the secret key and any other key file. Keys are kept apart from the data they protect
  (a stolen backup must not carry them); back them up separately (docs/deploy.md).

A ``manifest.json`` names the database kind, the schema revision and the directories. Restoring puts
everything back, migrates an older backup to the current schema, and then the caller verifies the
audit chain (``ogi restore`` does, as ``ogi audit verify``).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import make_url, text

from service.db import get_engine, is_sqlite
from service.settings import ROOT, Settings, get_settings

FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


@dataclass
class Manifest:
    """What an archive holds."""

    database: str  # "sqlite" or "postgresql"
    revision: str
    created_at: str
    directories: dict[str, str] = field(default_factory=dict)  # name in the archive → path it came from
    format: int = FORMAT


def data_directories(settings: Settings | None = None) -> dict[str, Path]:
    """The directories a backup carries, by their name in the archive."""
    settings = settings or get_settings()
    found: dict[str, Path] = {}
    storage = getattr(settings, "storage_dir", None)
    if storage is not None:
        found["files"] = Path(storage)
    else:  # before the attachments setting exists: whatever file folders var/ has
        for folder in sorted((ROOT / "var").glob("files*")):
            if folder.is_dir():
                found[folder.name] = folder
    found["calendars"] = Path(settings.calendar_dir)
    found["seals"] = Path(settings.seal_dir)
    return found


def _libpq(url: str) -> tuple[str, str | None]:
    """The libpq connection string of a SQLAlchemy URL, and the schema named in its search_path option."""
    parsed = make_url(url)
    options = parsed.query.get("options")
    schema = None
    if isinstance(options, str) and "search_path=" in options:
        schema = options.split("search_path=", 1)[1].split()[0].split(",")[0]
    plain = parsed.set(drivername="postgresql").difference_update_query(["options"])
    return plain.render_as_string(hide_password=False), schema


def _revision(url: str) -> str:
    with get_engine(url).connect() as conn:
        return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar() or "")


def _run(args: list[str], what: str, env: dict[str, str] | None = None) -> None:
    try:
        done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    except FileNotFoundError:
        raise BackupError(f"{args[0]} not found: install Debian's postgresql-client") from None
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip() or done.stdout.strip()}")


def _pg_env(schema: str | None) -> dict[str, str]:
    env = dict(os.environ)
    if schema:
        env["PGOPTIONS"] = f"-csearch_path={schema}"
    return env


def backup(out: Path, *, url: str | None = None) -> Manifest:
    """Write a backup of the database at ``url`` (default: the configured one) and the data directories
    to ``out`` (``.tar.gz``, mode 0600: it holds personal data)."""
    url = url or get_settings().database_url
    sqlite = is_sqlite(url)
    manifest = Manifest(database="sqlite" if sqlite else "postgresql", revision=_revision(url),
                        created_at=datetime.now(UTC).isoformat(timespec="seconds"))
    with tempfile.TemporaryDirectory(prefix="ogi-backup-") as tmp:
        work = Path(tmp)
        if sqlite:
            source = sqlite3.connect(make_url(url).database or "")
            target = sqlite3.connect(work / "database.sqlite3")
            try:
                source.backup(target)  # reads through the live connection: WAL content included
            finally:
                target.close()
                source.close()
        else:
            conninfo, schema = _libpq(url)
            args = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={work / 'database.pgdump'}"]
            if schema:
                args.append(f"--schema={schema}")
            _run([*args, conninfo], "pg_dump", env=_pg_env(schema))
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            tar.add(work / ("database.sqlite3" if sqlite else "database.pgdump"),
                    arcname="database.sqlite3" if sqlite else "database.pgdump")
            for name, folder in data_directories().items():
                manifest.directories[name] = str(folder)
                if folder.is_dir():
                    tar.add(folder, arcname=f"dirs/{name}")
            data = json.dumps(manifest.__dict__, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        os.replace(partial, out)
    return manifest


def read_manifest(archive: Path) -> Manifest:
    """The manifest of a backup archive (BackupError when it is not one)."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile("manifest.json")
            raw = json.loads(member.read()) if member else None
    except (OSError, tarfile.TarError, KeyError, json.JSONDecodeError) as exc:
        raise BackupError(f"{archive} is not an OGI Desk backup: {exc}") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise BackupError(f"{archive} is not an OGI Desk backup of format {FORMAT}")
    return Manifest(**raw)


def restore(archive: Path, *, url: str | None = None) -> Manifest:
    """Put the database and the directories of ``archive`` back (replacing what is there now), then
    migrate to the current schema. The service should be stopped meanwhile."""
    from service.db import upgrade

    url = url or get_settings().database_url
    manifest = read_manifest(archive)
    kind = "sqlite" if is_sqlite(url) else "postgresql"
    if manifest.database != kind:
        raise BackupError(f"the backup holds a {manifest.database} database; the configured one is {kind}")
    with tempfile.TemporaryDirectory(prefix="ogi-restore-") as tmp:
        work = Path(tmp)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(work, filter="data")
        if kind == "sqlite":
            get_engine(url).dispose()  # no pooled connection keeps the old pages
            target = sqlite3.connect(make_url(url).database or "")
            source = sqlite3.connect(work / "database.sqlite3")
            try:
                source.backup(target)  # replaces every page, WAL-safe, under SQLite's own locking
            finally:
                source.close()
                target.close()
        else:
            conninfo, schema = _libpq(url)
            get_engine(url).dispose()
            args = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                    "--single-transaction", f"--dbname={conninfo}", str(work / "database.pgdump")]
            _run(args, "pg_restore", env=_pg_env(schema))
        for name, folder in data_directories().items():
            saved = work / "dirs" / name
            if folder.exists():
                shutil.rmtree(folder)
            if saved.is_dir():
                folder.parent.mkdir(parents=True, exist_ok=True)
                shutil.copytree(saved, folder)
    get_engine(url).dispose()
    upgrade(url)  # a backup from an older version comes up to the current schema
    return manifest
