"""`ogi score SCHEME --period P [--unit U] [--format table|json]`, `ogi score rebuild` and `ogi scheme assign|list`."""

from __future__ import annotations

import json

import typer

from service.cli_support import cli_errors


def _rebuild() -> None:
    """`ogi score rebuild`: replace the scoring tallies with a count of every event, in one transaction."""
    from service.assessment.tallies import rebuild
    from service.db import transaction, upgrade

    upgrade()
    with transaction() as session:
        n = rebuild(session=session)
    typer.echo(f"rebuilt {n} scoring tallies")


def register(app: typer.Typer) -> None:
    """Add the assessment commands to the top-level `ogi` app."""

    @app.command()
    def score(
        scheme: str = typer.Argument(..., help="scheme id, e.g. changshu-2020; or `rebuild`: recount the "
                                               "scoring tallies from every event (after a bulk load or restore)"),
        period: str | None = typer.Option(None, "--period", help="2026 or 2026Q1 (required to score)"),
        unit: str | None = typer.Option(None, "--unit", help="one unit's agency code"),
        fmt: str = typer.Option("table", "--format", help="table | json"),
        lang: str = typer.Option("zh", "--lang", help="zh (default) | en: the language of the trail"),
    ) -> None:
        """Print scores, grades, consequences and every trail line of a scheme for a period (in Chinese,
        quoting the document's clauses; --lang en for English)."""
        from scoring import SchemeError
        from scoring.report import format_result
        from service.assessment import service
        from service.db import transaction, upgrade

        if scheme == "rebuild" and period is None:
            _rebuild()
            return
        if period is None:
            typer.echo("error: --period is required (e.g. --period 2026)", err=True)
            raise typer.Exit(2)
        if fmt not in ("table", "json"):
            typer.echo("error: --format: table or json", err=True)
            raise typer.Exit(2)
        if lang not in ("zh", "en"):
            typer.echo("error: --lang: zh or en", err=True)
            raise typer.Exit(2)
        upgrade()
        try:
            with cli_errors(), transaction(readonly=True) as session:
                found = service.results(session=session, scheme_id=scheme, period=period, visible=None, unit=unit)
                names = service.unit_names(session=session)
        except SchemeError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        if fmt == "json":
            typer.echo(json.dumps([r.to_dict() for r in found], ensure_ascii=False, indent=2))
            return
        kinds = service.get_scheme(scheme).kind_names
        typer.echo("\n\n".join(format_result(r, lang, kinds=kinds, name=names.get(r.unit, "")) for r in found)
                   or ("no units" if lang == "en" else "没有被考核单位"))

    scheme_app = typer.Typer(help="Which scheme grades which units.", no_args_is_help=True)
    app.add_typer(scheme_app, name="scheme")

    @scheme_app.command("assign")
    def scheme_assign(
        scheme: str = typer.Argument(..., help="scheme id, e.g. changshu-2020"),
        office: str = typer.Option(..., "--office", help="the supervising office's agency code"),
        include_office: bool = typer.Option(False, help="grade the office itself too"),
    ) -> None:
        """Make a scheme grade every unit below a supervising office."""
        from scoring import SchemeError
        from service.adminlog.service import cli_actor, record
        from service.assessment import service
        from service.db import transaction, upgrade

        upgrade()
        try:
            with cli_errors(), transaction() as session:
                service.assign(session=session, scheme_id=scheme, office_code=office, include_office=include_office)
                record(session=session, actor=cli_actor(), action="scheme_assign", target=f"{scheme} -> {office}",
                       include_office=include_office)
        except SchemeError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        typer.echo(f"{scheme} now grades the units below {office}")

    @scheme_app.command("list")
    def scheme_list() -> None:
        """List the installed schemes and the offices they are assigned to."""
        from service.assessment import repository, service
        from service.db import transaction, upgrade

        upgrade()
        with transaction(readonly=True) as session:
            for scheme_id, scheme in sorted(service.all_schemes().items()):
                offices = [a.agency_id for a in repository.assignments(session=session, scheme_id=scheme_id)]
                where = f"offices {offices}" if offices else "every unit (unassigned)"
                typer.echo(f"{scheme_id}\t{scheme.title}\t{where}")
