"""`ogi calendar ...`: due dates, explanations, year schedules, importing a year's official schedule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

import typer
from rich.console import Console
from rich.table import Table

from service.calendar import service
from workflow.calendar import CalendarError

T = TypeVar("T")

app = typer.Typer(help="Official working-day calendar (工作日历).", no_args_is_help=True)

WEEKDAYS = "一二三四五六日"
REASONS = {"weekend": "周末", "holiday": "节假日", "pause": "暂停计算", "regional": "地方节日"}

DaysOpt = typer.Option(20, "--days", "-d", help="Period in working days.")
RegionOpt = typer.Option(None, "--region", "-r", help="Regional overlay code, e.g. gx (default: OGI_REGION).")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _fail(f"DATE must be a date like 2026-09-21, not {text!r}") from None


def _period(ask: Callable[..., T], day: str, days: int, region: str | None) -> T:
    """Check the inputs of a period question, then ask the service; calendar errors become messages."""
    if days < 0:
        raise _fail(f"--days cannot be negative ({days})")
    start = _parse_date(day)
    return _run(lambda: ask(start=start, days=days, region=region))


def _run(call: Callable[[], T]) -> T:
    try:
        return call()
    except CalendarError as exc:
        raise _fail(str(exc)) from None


@app.command()
def due(day: str = typer.Argument(..., metavar="DATE", help="Start date (receipt date), YYYY-MM-DD."),
        days: int = DaysOpt, region: str | None = RegionOpt) -> None:
    """Print the due date (ISO), and `provisional` on a second line when it depends on an estimated year."""
    answer = _period(service.due, day, days, region)
    typer.echo(answer.due.isoformat())
    if answer.provisional:
        typer.echo("provisional")


@app.command()
def explain(day: str = typer.Argument(..., metavar="DATE", help="Start date (receipt date), YYYY-MM-DD."),
            days: int = DaysOpt, region: str | None = RegionOpt) -> None:
    """Print every day from the day after DATE to the due date: counted or skipped, and why."""
    answer = _period(service.explain, day, days, region)
    for e in answer.days_list:
        what = f"第{e.ordinal}个工作日" if e.counted else f"不计：{REASONS.get(e.reason or '', e.reason)}"
        typer.echo(f"{e.date.isoformat()} 周{WEEKDAYS[e.date.weekday()]}  {what}  {e.label or ''}".rstrip())
    typer.echo(f"due {answer.due.isoformat()}" + (" (provisional)" if answer.provisional else ""))


@app.command()
def show(year: int = typer.Argument(..., help="Calendar year."), region: str | None = RegionOpt) -> None:
    """Print the year's days off and weekend make-up working days with their names."""
    sched = _run(lambda: service.year_schedule(year=year, region=region))
    table = Table(title=f"{year}年{'（' + sched.region + '）' if sched.region else ''}"
                        f"{'  暂定 provisional' if sched.provisional else ''}")
    for col in ("日期 date", "星期", "安排", "名称 name"):
        table.add_column(col)
    rows = [(d.date, "放假 day off", d.name) for d in sched.days_off]
    rows += [(d.date, "上班 make-up working day", d.name) for d in sched.makeup_days]
    for d, kind, name in sorted(rows, key=lambda r: r[0]):
        table.add_row(d.isoformat(), f"周{WEEKDAYS[d.weekday()]}", kind, name)
    console = Console(width=120)
    console.print(table)
    console.print(f"source: {sched.source}", soft_wrap=True)


@app.command("import")
def import_(file: Path = typer.Argument(..., help="A year file (YYYY.toml) or a regional overlay to install.")) -> None:
    """Validate a calendar file, store it in the database (every server reads it from there) and
    recompute open requests' due dates in batches; after a crash, importing again finishes the job."""
    from service.adminlog.service import cli_actor, record
    from service.db import transaction, upgrade

    upgrade()  # the file, its job and the change record are in the database
    installed = _run(lambda: service.install_file(file, actor=cli_actor()))
    if installed.unchanged:
        typer.echo(f"{installed.kind} {installed.key} is already installed unchanged ({installed.path})")
    elif installed.resumed:
        typer.echo(f"{installed.kind} {installed.key} is installed; finishing the recomputation an interrupted "
                   f"import left (job {installed.job_id})")
    else:
        typer.echo(f"installed {installed.kind} {installed.key} ({installed.source}) -> {installed.path}")
    if not installed.unchanged and not installed.resumed:
        with transaction() as session:  # who installed it (before the recomputation, which may be long)
            record(session=session, actor=cli_actor(), action="calendar_install",
                   target=f"{installed.kind} {installed.key}", source=installed.source, job=installed.job_id)
    changed = service.run_jobs()
    typer.echo(f"{changed} open request(s) changed due date")


@app.command()
def resume() -> None:
    """Finish the due-date recomputation a crash or restart interrupted (also done by `ogi serve`)."""
    from service.db import upgrade

    upgrade()
    changed = service.run_jobs()
    typer.echo(f"{changed} open request(s) changed due date")


@app.command()
def jobs() -> None:
    """Show the latest recomputation jobs and their progress."""
    from service.db import upgrade

    upgrade()
    for job in service.jobs():
        typer.echo(f"job {job.id}: {job.kind} {job.key} {job.status}, {job.done} request(s) done "
                   f"(up to id {job.cursor}), {job.changed} changed, started {job.started_at:%Y-%m-%d %H:%M:%S}")
