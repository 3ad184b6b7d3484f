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
_RAISERS = {"InvalidField", "ActionNotAllowed", "Conflict", "Refused"}


def _codes_raised() -> list[tuple[str, str]]:
    """(where, code) for every error constructed in workflow/; an f-string code gives its prefix + '*'."""
    found: list[tuple[str, str]] = []
    for path in sorted(ROOT.rglob("*.py")):
        if path.name == "errors.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name not in _RAISERS:
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
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
