"""Every error code raised in workflow/ has its Chinese wording in workflow/error_catalogue.toml, and the
desk shows that wording for real refusals of the machine (not a translation of English text)."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from service.web import messages
from workflow.errors import ActionNotAllowed, InvalidField, Refused, catalogue, wording

ROOT = Path(__file__).parents[1] / "workflow"
# The 管理 pages' refusals raised in service/ (units, users, uploads, calendar files), the casework
# resources, notifications, archiving, assessment, letters, cases and the worklist, reports and search:
# worded by code like the workflow's, never by matching their English.
SERVICE = [Path(__file__).parents[1] / "service" / p for p in
           ("agencies", "users", "web/admin", "calendar/service.py", "delivery", "drafts", "reissue", "notify",
            "archive", "assessment", "letters", "requests", "cli_support.py", "projections/search.py",
            "reports/service.py")]
_RAISERS = {"InvalidField", "ActionNotAllowed", "Conflict", "Refused", "CalendarFileError"}


def _sources() -> list[Path]:
    paths = sorted(ROOT.rglob("*.py"))
    for extra in SERVICE:
        paths += sorted(extra.rglob("*.py")) if extra.is_dir() else [extra]
    return [p for p in paths if p.name != "errors.py"]


def _codes_raised() -> list[tuple[str, str]]:
    """(where, code) for every error constructed in workflow/ and the service modules above; an f-string
    code gives its prefix + '*'. A calendar file's ``check.fail(where, message, code)`` is
    ``calendar_file.<code>``."""
    found: list[tuple[str, str]] = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            where = f"{path.relative_to(ROOT.parent)}:{node.lineno}"
            if name == "fail" and path.name == "files.py" and len(node.args) == 3:
                code = node.args[2]
                found.append((where, f"calendar_file.{code.value}" if isinstance(code, ast.Constant) else "<no code>"))
                continue
            if name not in _RAISERS:
                continue
            if name == "Refused":
                arg = node.args[0] if node.args else None
            else:
                arg = next((k.value for k in node.keywords if k.arg == "code"), None)
            if isinstance(arg, ast.Attribute) and arg.attr == "code":
                continue  # passes on the code of an error raised (and scanned) elsewhere
            for branch in (arg.body, arg.orelse) if isinstance(arg, ast.IfExp) else (arg,):
                if isinstance(branch, ast.Constant) and isinstance(branch.value, str):
                    found.append((where, branch.value))
                elif isinstance(branch, ast.JoinedStr):
                    first = branch.values[0]
                    prefix = first.value if isinstance(first, ast.Constant) else ""
                    found.append((where, f"{prefix}*"))
                else:
                    found.append((where, "<no code>"))
    return found


def test_every_code_raised_in_workflow_has_a_wording() -> None:
    raised = _codes_raised()
    assert len(raised) > 60  # the scan sees the raise sites (guards against a silently empty scan)
    words = catalogue()
    missing = []
    for where, code in raised:
        ok = any(key.startswith(code[:-1]) for key in words) if code.endswith("*") else code in words
        if not ok:
            missing.append(f"{where}: {code}")
    assert not missing, "codes without Chinese wording in workflow/error_catalogue.toml:\n" + "\n".join(missing)


def test_the_scan_would_catch_a_code_without_wording(tmp_path: Path) -> None:
    assert wording("no.such_code") is None
    assert "date.before_issue" in catalogue() and "date.before_previous_fact" in catalogue()


def test_wording_fills_parameters_and_labels() -> None:
    exc = InvalidField("applicant.id_number", "check digit is 1, expected X (GB 11643)",
                       code="id.resident_check_digit", given="1", expected="X")
    assert messages.field_message(exc) == "身份证号码校验位不正确：应为 X，填写的是 1"
    refused = ActionNotAllowed("reviewing", "extend", ["reply"], "role clerk may not extend",
                               code="action.role_not_allowed", role="clerk")
    assert messages.refusal_message(refused) == "不能延期答复（当前状态：审查办理中）：登记员无权执行此操作"


def test_machine_refusals_reach_the_desk_in_chinese() -> None:
    from tests.workflow_support import CLERK, Story

    story = Story(date(2026, 3, 2))
    story.do("accept", date(2026, 3, 2))
    story.do("request_correction", date(2026, 3, 3))
    with pytest.raises(ActionNotAllowed) as exc:
        story.do("lapse", date(2026, 3, 4))
    assert exc.value.code == "lapse.correction_period_open"
    assert "届满后才能视为放弃" in messages.refusal_message(exc.value)
    with pytest.raises(ActionNotAllowed) as exc:
        story.do("extend", date(2026, 3, 4), actor=CLERK)
    assert exc.value.code == "action.role_not_allowed"
    assert messages.refusal_message(exc.value).endswith("登记员无权执行此操作")


def test_refused_carries_code_into_the_409() -> None:
    err = Refused("fee.already_issued", "a fee notice has already been issued")
    assert err.code == "fee.already_issued" and wording(err.code) == "已经发出过收费通知"


def test_admin_refusals_are_worded_by_code(tmp_path: Path) -> None:
    """The 管理 pages' refusals (a calendar file, a user, a unit's letter prefix) reach the admin in
    Chinese from their codes; nothing is translated by matching English text."""
    from workflow.calendar.files import parse_year_file
    from workflow.calendar.model import CalendarFileError

    bad = b'year = 2027\nsource = "x"\n[[holidays]]\nname = "\xe6\x98\xa5\xe8\x8a\x82"\nfirst = 2027-02-10\nlast = 2027-02-08\n'
    with pytest.raises(CalendarFileError) as exc:
        parse_year_file(bad, "2027.toml")
    assert exc.value.code == "calendar_file.last_before_first"
    assert messages.admin_text(exc.value) == "日历文件（holidays[0] (春节)）有误：结束日 2027-02-08 早于开始日 2027-02-10"
    taken = InvalidField("housing.letter_prefix", "letter prefix '常住建' is already used by unit 'city'",
                         code="agency_file.prefix_taken", prefix="常住建", unit="city")
    assert messages.admin_errors(taken) == {"housing.letter_prefix": "文号前缀“常住建”已被单位 city 使用，全平台的文号前缀不能重复"}
    assert not hasattr(messages, "admin_message") and not hasattr(messages, "_ADMIN_RULES")


_BASE_PARAMS = {"InvalidField": {"field", "message"}, "ActionNotAllowed": {"state", "action", "reason"},
                "Refused": {"state", "action", "reason"}, "Conflict": set(), "CalendarFileError": {"message", "where"},
                "fail": {"message", "where"}}


def _raise_sites() -> list[tuple[str, str, set[str]]]:
    """(where, code, the params the site gives) for every refusal with a literal code and named params."""
    sites = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name == "fail" and path.name == "files.py" and len(node.args) == 3:
                arg = ast.Constant(f"calendar_file.{node.args[2].value}")  # type: ignore[attr-defined]
            elif name in _BASE_PARAMS and name != "fail":
                arg = (node.args[0] if node.args else None) if name == "Refused" else next(
                    (k.value for k in node.keywords if k.arg == "code"), None)
            else:
                continue
            if not isinstance(arg, ast.Constant) or any(k.arg is None for k in node.keywords):
                continue  # a computed code or **params: the scan above covers the code
            given = {str(k.arg) for k in node.keywords if k.arg != "code"} | _BASE_PARAMS[name]
            sites.append((f"{path.relative_to(ROOT.parent)}:{node.lineno}", str(arg.value), given))
    return sites


def test_every_refusal_is_worded_in_chinese_with_its_own_values() -> None:
    """Each refusal's wording is Chinese and names only values its raise site gives (a placeholder left
    unfilled would reach the clerk as ``{name}``)."""
    import re

    sites = _raise_sites()
    assert len(sites) > 150
    words = catalogue()
    wrong = []
    for where, code, given in sites:
        template = words.get(code, "")
        if not re.search(r"[\u4e00-\u9fff]", template):
            wrong.append(f"{where}: {code} is not worded in Chinese")
        needed = {m.removesuffix("_cn") for m in re.findall(r"\{(\w+)\}", template)}
        if needed - given:
            wrong.append(f"{where}: {code} needs {sorted(needed - given)}, the site gives {sorted(given)}")
    assert not wrong, "\n".join(wrong)


def test_append_only_rows_are_worded_by_code() -> None:
    """``refuse_changes(model, code=...)`` raises ``{code}_changed`` and ``{code}_deleted``: both worded."""
    words = catalogue()
    families = []
    for path in sorted((ROOT.parent / "service").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "refuse_changes":
                families += [k.value.value for k in node.keywords if k.arg == "code"]  # type: ignore[attr-defined]
    assert len(families) >= 2
    missing = [f"{c}_{what}" for c in families for what in ("changed", "deleted") if f"{c}_{what}" not in words]
    assert not missing, missing
