"""Legal wording with effective dates; templates whose clauses are out of date refuse to render."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from service.letters import service, templates
from service.letters.samples import FakeAgency, FakeCase, reply_order
from workflow import legal
from workflow.legal import ClauseNotInForce, ClauseOutOfDate, clause_on, clauses_on, reconsideration_bodies


@pytest.fixture(autouse=True)
def _no_seal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "get_settings", lambda: type("S", (), {"seal_dir": tmp_path / "seals"})())


def test_remedy_periods_by_date() -> None:
    assert clause_on("remedy", date(2010, 1, 1)).values["litigation_months"] == 3
    assert clause_on("remedy", date(2015, 4, 30)).values["litigation_months"] == 3
    assert clause_on("remedy", date(2015, 5, 1)).values["litigation_months"] == 6
    today = clause_on("remedy", date(2026, 3, 1))
    assert today.values == {**today.values, "reconsideration_days": 60, "litigation_months": 6,
                            "reconsideration_first": True}
    assert "六个月" in today.text["notice"] and "三个月" not in today.text["notice"]
    assert not clause_on("remedy", date(2023, 12, 31)).values["reconsideration_first"]
    with pytest.raises(ClauseNotInForce):
        clause_on("remedy", date(1990, 1, 1))


def test_reconsideration_body_rule_since_2024() -> None:
    before, after = clauses_on(date(2023, 12, 31)), clauses_on(date(2024, 1, 1))
    assert reconsideration_bodies(agency_kind="department", clauses=before) == (
        "same_level_government", "higher_department")
    assert reconsideration_bodies(agency_kind="department", clauses=after) == ("same_level_government",)
    for day in (before, after):
        assert reconsideration_bodies(agency_kind="vertical", clauses=day) == ("higher_department",)


def context_on(day: date) -> dict:
    return service.build_context(case=FakeCase(), order=reply_order("withhold", issued_on=day), agency=FakeAgency(),
                                 number="常住建依申复〔2023〕5号", seal_confirmed=True)


def test_old_letter_cites_the_law_of_its_issue_date() -> None:
    html_2023 = templates.render_html(context_on(date(2023, 6, 1)))
    html_2026 = templates.render_html(context_on(date(2026, 6, 1)))
    assert "应当先" not in html_2023 and "六个月内" in html_2023
    assert "应当先" in html_2026 and "第二十三条" in html_2026
    assert context_on(date(2023, 6, 1))["clauses"].versions()["remedy"] == "2015-05-01"


def test_before_the_2019_regulations_no_template_applies() -> None:
    with pytest.raises(ClauseNotInForce):
        templates.render_html(context_on(date(2019, 5, 14)))


def test_template_out_of_date_fails_loudly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The law moves (a hypothetical 2030 version of the remedy clause): a template that was not
    # reviewed for it must refuse to print, never fall back to the old wording.
    legal_dir = tmp_path / "legal"
    shutil.copytree(legal.LEGAL_DIR, legal_dir)
    (legal_dir / "zz_future.toml").write_text(
        '[[remedy]]\neffective = 2030-01-01\nsource = "hypothetical"\n'
        '[remedy.values]\nreconsideration_days = 90\nlitigation_months = 6\nreconsideration_first = true\n'
        '[remedy.text]\nnotice = "{reconsideration_body}{court}"\nnotice_first = "{reconsideration_body}{court}"\n',
        encoding="utf-8")
    real = service.clauses_on
    monkeypatch.setattr(service, "clauses_on", lambda day: real(day, directory=legal_dir))
    assert templates.render_html(context_on(date(2029, 12, 31)))
    with pytest.raises(ClauseOutOfDate) as err:
        templates.render_html(context_on(date(2030, 1, 2)))
    assert err.value.clause == "remedy" and err.value.in_force == date(2030, 1, 1)
    assert "reply.html" in str(err.value)


def test_every_template_declares_its_clauses() -> None:
    for meta in templates.kinds().values():
        declared = templates.declared_clauses(meta.template)
        assert "regulations" in declared
        legal.check_written_for(meta.template, declared, clauses_on(date.today()))


def test_duplicate_versions_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('[[x]]\neffective = 2020-01-01\n[[x]]\neffective = 2020-01-01\n')
    with pytest.raises(ValueError, match="same effective date"):
        legal.load(tmp_path)
