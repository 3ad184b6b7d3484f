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


BEFORE_2024, SINCE_2024 = date(2023, 12, 31), date(2024, 1, 1)


@pytest.mark.parametrize(("agency", "vertical", "body", "day", "verdict"), [
    # A department of a local government: since 2024 only the government at the same level.
    ("常熟市住房和城乡建设局", False, "常熟市人民政府", SINCE_2024, "ok"),
    ("常熟市住房和城乡建设局", False, "常熟市人民政府（行政复议机构：常熟市司法局）", SINCE_2024, "ok"),
    ("常熟市住房和城乡建设局", False, "苏州市住房和城乡建设局", BEFORE_2024, "ok"),  # the old choice
    ("常熟市住房和城乡建设局", False, "苏州市住房和城乡建设局", SINCE_2024, "wrong"),
    ("常熟市住房和城乡建设局", False, "常熟市人民政府办公室", SINCE_2024, "wrong"),  # the office is not the government
    # Vertically managed (and tax, state security): the next-higher department, under both laws.
    ("苏州市常熟生态环境局", True, "苏州市生态环境局", SINCE_2024, "ok"),
    ("国家税务总局常熟市税务局", True, "国家税务总局苏州市税务局", SINCE_2024, "ok"),
    ("国家税务总局常熟市税务局", True, "常熟市人民政府", SINCE_2024, "wrong"),
    ("国家税务总局常熟市税务局", True, "常熟市人民政府", BEFORE_2024, "wrong"),
    # A people's government: the government one level up (which level is not judged from names).
    ("常熟市人民政府", False, "苏州市人民政府", SINCE_2024, "ok"),
    ("常熟市人民政府", False, "苏州市司法局", SINCE_2024, "wrong"),
    # Names the rule cannot place are left to a person: a warning, never a defect.
    ("常熟市住房和城乡建设局", False, "常熟市住房和城乡建设局", SINCE_2024, "unsure"),
    ("常熟市住房和城乡建设局", False, "市行政复议机构", SINCE_2024, "unsure"),
])
def test_reconsideration_body_against_the_rule(agency: str, vertical: bool, body: str, day: date,
                                               verdict: str) -> None:
    got = legal.check_reconsideration_body(agency_name=agency, body=body, vertically_managed=vertical,
                                           clauses=clauses_on(day))
    assert got.verdict == verdict, got.message
    assert (got.message == "") is (verdict == "ok")
    if verdict == "wrong":
        assert "vertically_managed" in got.message or "one level up" in got.message


def test_reply_naming_a_wrong_reconsideration_body_is_refused() -> None:
    def missing(agency: FakeAgency, day: date) -> list[str]:
        return service.check_order(case=FakeCase(), order=reply_order("disclose", issued_on=day), agency=agency,
                                   seal_confirmed=True)

    vertical = FakeAgency(name="常州市税务局", vertically_managed=True, reconsideration_body="常州市人民政府")
    assert missing(vertical, date(2026, 3, 20)) == ["reconsideration_body:higher_department"]
    fixed = FakeAgency(name="常州市税务局", vertically_managed=True, reconsideration_body="江苏省税务局")
    assert missing(fixed, date(2026, 3, 20)) == []
    # A department that still names the higher department: fine under the 1999 law, a defect since 2024.
    stale = FakeAgency(reconsideration_body="江苏省住房和城乡建设厅")
    assert missing(stale, date(2023, 6, 1)) == []
    assert missing(stale, date(2026, 3, 20)) == ["reconsideration_body:same_level_government"]
    # A name the rule cannot place is not a defect.
    assert missing(FakeAgency(reconsideration_body="常州市行政复议机构"), date(2026, 3, 20)) == []
