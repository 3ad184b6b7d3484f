"""The state machine: transition table, every transition, guards by state, role and clock, letters,
assessment events, replay. Dates on the official 2026 calendar (see tests/test_clock.py for the
counting); receipt Mon 2026-03-02 → due Mon 2026-03-30 unless a test says otherwise."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from workflow_support import ADMIN, APPROVER, ASSESSOR, CAL, CLERK, HANDLER, NUMBER, POLICY, Story

from workflow.errors import ActionNotAllowed, Conflict, InvalidField
from workflow.events import CASE_CLOSED, NOTICE_LATE, REPLY_DEFECT, REPLY_LATE, REVIEW_CORRECTED
from workflow.machine import (
    ACTIONS,
    FINAL_STATUSES,
    OPEN_STATUSES,
    ActionSpec,
    Role,
    Status,
    allowed_actions,
    check_table,
    fold,
    mermaid,
)
from workflow.sweep import sweep_case

D = date
RECEIPT = D(2026, 3, 2)
DUE = D(2026, 3, 30)


def allowed(story: Story, actor: Any = APPROVER, today: date = RECEIPT) -> list[str]:
    return allowed_actions(story.case, actor, today=today, calendar=CAL, policy=story.policy)


# --- the table ---------------------------------------------------------------------------------


def test_table_is_valid_and_drawn_from_the_code() -> None:
    check_table(ACTIONS)
    diagram = mermaid()
    assert diagram.startswith("stateDiagram-v2")
    assert "[*] --> registered" in diagram
    for name in ACTIONS:
        assert name in diagram
    for state in FINAL_STATUSES:
        assert f"{state} --> [*]" in diagram
    assert "withdrawn --> " not in diagram.replace("withdrawn --> [*]", "")


def test_table_check_rejects_a_way_out_of_a_final_state() -> None:
    bad = dict(ACTIONS)
    bad["reopen"] = ActionSpec("reopen", "重开", frozenset({Status.ARCHIVED}), Status.REVIEWING,
                               frozenset({Role.APPROVER}))
    with pytest.raises(ValueError, match="final state archived"):
        check_table(bad)


def test_table_check_rejects_unreachable_and_dead_end_states() -> None:
    no_fee = {k: v for k, v in ACTIONS.items() if k != "issue_fee_notice"}
    with pytest.raises(ValueError, match="unreachable"):
        check_table(no_fee)
    stuck = {k: v for k, v in ACTIONS.items() if k != "receive_payment"}
    stuck["lapse"] = replace(ACTIONS["lapse"], sources=frozenset({Status.AWAITING_CORRECTION}))
    stuck["withdraw"] = replace(ACTIONS["withdraw"], sources=OPEN_STATUSES - {Status.AWAITING_FEE})
    with pytest.raises(ValueError, match="dead end"):
        check_table(stuck)


def test_open_statuses() -> None:
    assert Status.REPLIED not in OPEN_STATUSES and not (OPEN_STATUSES & FINAL_STATUSES)


# --- every transition --------------------------------------------------------------------------

# (steps before: (action, day, params), action, day, params, expected status)
Step = tuple[str, date, dict[str, Any]]
ACCEPT: Step = ("accept", RECEIPT, {})
CORR: Step = ("request_correction", D(2026, 3, 4), {"items": ["文件名称"], "period_days": 10})
# The notices served directly on the day they are sent, so the windows that run from the applicant's
# receipt start that day (the estimates by post are tested in tests/test_delivery.py).
CORR_SERVED: Step = ("serve", D(2026, 3, 4), {"subject": "correction"})
FEE_SERVED: Step = ("serve", D(2026, 3, 4), {"subject": "fee"})
CONSULT: Step = ("start_consultation", D(2026, 3, 9), {"party": "某公司", "kind": "third_party"})
FEE: Step = ("issue_fee_notice", D(2026, 3, 4), {"amount_yuan": 100})
REPLY: Step = ("reply", D(2026, 3, 20), {"decision": "not_exist"})
ARCHIVE: Step = ("archive", D(2026, 3, 23), {})
REVIEW: Step = ("record_review", D(2026, 4, 10), {"kind": "reconsideration", "body": "常熟市人民政府"})

TRANSITIONS = [
    ([], "accept", RECEIPT, {}, Status.REVIEWING),
    ([], "request_correction", D(2026, 3, 3), {"items": ["请写明文件名称"]}, Status.AWAITING_CORRECTION),
    ([ACCEPT], "request_correction", D(2026, 3, 3), {"items": "请写明文件名称"}, Status.AWAITING_CORRECTION),
    ([ACCEPT, CORR], "receive_correction", D(2026, 3, 10), {}, Status.REVIEWING),
    ([ACCEPT, CORR, CORR_SERVED], "lapse", D(2026, 3, 19), {"reason": "correction"}, Status.LAPSED),
    ([ACCEPT, FEE, FEE_SERVED], "lapse", D(2026, 4, 2), {"reason": "fee"}, Status.LAPSED),
    ([ACCEPT], "start_consultation", D(2026, 3, 9), {"party": "市自然资源局", "kind": "agency"}, Status.CONSULTING),
    ([ACCEPT, CONSULT], "end_consultation", D(2026, 3, 16), {"opinion": "同意公开"}, Status.REVIEWING),
    ([ACCEPT], "issue_fee_notice", D(2026, 3, 4), {"amount_yuan": "100.00"}, Status.AWAITING_FEE),
    ([ACCEPT, FEE], "receive_payment", D(2026, 3, 6), {}, Status.REVIEWING),
    ([ACCEPT], "waive_fee", D(2026, 3, 4), {"fee_method": "per_volume", "pages": 50, "waiver_reason": "经济困难"},
     Status.REVIEWING),
    ([ACCEPT], "extend", D(2026, 3, 27), {"days": 20, "reason": "需调档"}, Status.REVIEWING),
    ([ACCEPT, CONSULT], "extend", D(2026, 3, 27), {"days": 20, "reason": "需调档"}, Status.CONSULTING),
    ([ACCEPT, FEE], "extend", D(2026, 3, 27), {"days": 20, "reason": "需调档"}, Status.AWAITING_FEE),
    ([ACCEPT], "request_reasons", D(2026, 3, 5), {"reason": "数量明显超过合理范围"}, Status.REVIEWING),
    ([ACCEPT, ("request_reasons", D(2026, 3, 5), {})], "set_deadline", D(2026, 3, 20),
     {"due_on": "2026-05-29", "reason": "理由合理"}, Status.REVIEWING),
    ([], "reply", RECEIPT, {"decision": "already_public", "access_route": "政府网站"}, Status.REPLIED),  # 当场答复
    ([ACCEPT], "reply", D(2026, 3, 20), {"decision": "disclose", "disclosure": "见附件"}, Status.REPLIED),
    ([ACCEPT, REPLY], "archive", D(2026, 3, 23), {}, Status.ARCHIVED),
    ([], "withdraw", D(2026, 3, 3), {}, Status.WITHDRAWN),
    ([ACCEPT], "withdraw", D(2026, 3, 3), {"reason": "申请人书面撤回"}, Status.WITHDRAWN),
    ([ACCEPT, CORR], "withdraw", D(2026, 3, 5), {}, Status.WITHDRAWN),
    ([ACCEPT, CONSULT], "withdraw", D(2026, 3, 10), {}, Status.WITHDRAWN),
    ([ACCEPT, FEE], "withdraw", D(2026, 3, 5), {}, Status.WITHDRAWN),
    ([ACCEPT, REPLY], "record_review", D(2026, 4, 10), {"kind": "reconsideration", "body": "常熟市人民政府"},
     Status.REPLIED),
    ([ACCEPT, REPLY, ARCHIVE], "record_review", D(2026, 4, 10),
     {"kind": "litigation", "body": "常熟市人民法院"}, Status.ARCHIVED),
    ([ACCEPT, REPLY, REVIEW], "decide_review", D(2026, 6, 1), {"review": "R1", "outcome": "upheld"},
     Status.REPLIED),
    ([ACCEPT, REPLY, ARCHIVE, REVIEW], "decide_review", D(2026, 6, 1), {"outcome": "other"}, Status.ARCHIVED),
]


def run(steps: list[Step], receipt: date = RECEIPT) -> Story:
    story = Story(receipt)
    for action, day, params in steps:
        if action == "serve":  # a service record, not an action: the notice handed over and signed for
            story.serve(params["subject"], day, day)
        else:
            story.do(action, day, **params)
    return story


@pytest.mark.parametrize(("steps", "action", "day", "params", "status"), TRANSITIONS,
                         ids=[f"{t[1]}-{i}" for i, t in enumerate(TRANSITIONS)])
def test_transition(steps: list[Step], action: str, day: date, params: dict[str, Any], status: Status) -> None:
    story = run(steps)
    assert action in allowed(story, today=day)
    out = story.do(action, day, **params)
    assert story.case.status == status
    assert out.case is not None and out.case.status == status
    assert out.case == fold(story.events)  # the outcome's case is the fold of the stored events
    assert all(e.data["by"] == APPROVER.user_id for e in out.events)
    assert all(e.on == day for e in out.events)


def test_every_action_and_source_state_is_covered() -> None:
    covered = {(a, run(steps).case.status) for steps, a, *_ in TRANSITIONS}
    wanted = {(name, s) for name, spec in ACTIONS.items() for s in spec.sources}
    assert wanted - covered == set()


# --- guards: role ------------------------------------------------------------------------------


ROLE_TABLE = {
    Role.CLERK: {"accept", "receive_correction", "end_consultation", "receive_payment", "withdraw"},
    Role.HANDLER: {"accept", "request_correction", "receive_correction", "lapse", "start_consultation",
                   "end_consultation", "issue_fee_notice", "waive_fee", "receive_payment", "request_reasons",
                   "archive", "withdraw", "record_review", "decide_review"},
    Role.APPROVER: set(ACTIONS),
    Role.ASSESSOR: set(),
    Role.ADMIN: set(),
}


def test_role_table() -> None:
    for role, names in ROLE_TABLE.items():
        assert {n for n, spec in ACTIONS.items() if role in spec.roles} == names, role


def test_assessors_and_admins_do_no_case_actions() -> None:
    story = Story(RECEIPT)
    for actor in (ASSESSOR, ADMIN):
        assert allowed(story, actor) == []
        with pytest.raises(ActionNotAllowed) as err:
            story.do("accept", RECEIPT, actor=actor)
        assert err.value.allowed == [] and "role" in err.value.reason


def test_clerk_may_not_reply_and_the_refusal_names_state_action_allowed() -> None:
    story = run([ACCEPT])
    with pytest.raises(ActionNotAllowed) as err:
        story.do("reply", D(2026, 3, 5), actor=CLERK, decision="not_exist")
    e = err.value
    assert (e.state, e.action) == ("reviewing", "reply")
    assert "clerk" in e.reason and "approver" in e.reason
    assert e.allowed == ["withdraw"]


def test_only_an_approver_extends() -> None:
    story = run([ACCEPT])
    with pytest.raises(ActionNotAllowed, match="role handler may not extend"):
        story.do("extend", D(2026, 3, 5), actor=HANDLER, reason="x")
    assert "extend" in allowed(story, APPROVER, D(2026, 3, 5))
    assert "extend" not in allowed(story, HANDLER, D(2026, 3, 5))


# --- guards: state ------------------------------------------------------------------------------


def test_action_in_the_wrong_state_names_where_it_is_possible() -> None:
    story = run([ACCEPT])
    with pytest.raises(ActionNotAllowed) as err:
        story.do("archive", D(2026, 3, 5))
    assert err.value.state == "reviewing"
    assert "only in: replied" in err.value.reason
    assert "reply" in err.value.allowed and "archive" not in err.value.allowed


@pytest.mark.parametrize("final", [
    [ACCEPT, ("withdraw", D(2026, 3, 3), {})],
    [ACCEPT, CORR, CORR_SERVED, ("lapse", D(2026, 3, 19), {})],
])
def test_final_states_allow_nothing(final: list[Step]) -> None:
    story = run(final)
    assert allowed(story, today=D(2026, 6, 1)) == []
    with pytest.raises(ActionNotAllowed):
        story.do("reply", D(2026, 6, 1), decision="not_exist")


def test_reviews_need_a_reply() -> None:
    story = run([ACCEPT])
    with pytest.raises(ActionNotAllowed):
        story.do("record_review", D(2026, 3, 5), kind="reconsideration", body="某政府")


def test_archived_case_only_takes_reviews() -> None:
    story = run([ACCEPT, REPLY, ARCHIVE])
    assert allowed(story, today=D(2026, 4, 1)) == ["record_review"]


# --- guards: the clock and once-only rules --------------------------------------------------------


def test_correction_notice_only_once() -> None:
    story = run([ACCEPT, CORR, ("receive_correction", D(2026, 3, 10), {})])
    assert "request_correction" not in allowed(story, HANDLER, D(2026, 3, 11))
    with pytest.raises(ActionNotAllowed, match="only once"):
        story.do("request_correction", D(2026, 3, 11), items=["再补一次"])


def test_late_correction_notice_still_happens_but_is_assessed() -> None:
    story = run([ACCEPT])
    # Sent Wed 3/11 = working day 7 after receipt (3/3–6, 3/9–11): in time.
    assert run([ACCEPT]).do("request_correction", D(2026, 3, 11), items=["x"]).assessment == []
    # Sent Thu 3/12 = working day 8: late.
    out = story.do("request_correction", D(2026, 3, 12), items=["x"])
    assert story.case.status == Status.AWAITING_CORRECTION
    (late,) = out.assessment
    assert late.kind == NOTICE_LATE and late.subject == "correction_notice"
    assert late.details["working_days"] == 8 and late.details["request_number"] == NUMBER
    assert late.key == f"{NOTICE_LATE}:{NUMBER}:correction_notice"


def test_correction_lapse_only_after_the_period() -> None:
    story = run([ACCEPT, CORR, CORR_SERVED])  # received 3/4: period of 10 working days ends Wed 3/18
    assert "lapse" not in allowed(story, HANDLER, D(2026, 3, 18))
    with pytest.raises(ActionNotAllowed, match="2026-03-18"):
        story.do("lapse", D(2026, 3, 18))
    assert "lapse" in allowed(story, HANDLER, D(2026, 3, 19))
    story.do("lapse", D(2026, 3, 19))
    assert story.case.lapse_reason == "correction" and story.case.status == Status.LAPSED


def test_fee_lapse_only_after_the_payment_window() -> None:
    story = run([ACCEPT, FEE, FEE_SERVED])
    # Notice received Wed 3/4; 20 working days: 3/5–6 (2), 3/9–13 (7), 3/16–20 (12), 3/23–27 (17), 3/30–4/1 (20).
    with pytest.raises(ActionNotAllowed, match="2026-04-01"):
        story.do("lapse", D(2026, 4, 1))
    with pytest.raises(InvalidField) as err:
        story.do("lapse", D(2026, 4, 2), reason="correction")
    assert err.value.field == "reason"
    story.do("lapse", D(2026, 4, 2))
    assert story.case.lapse_reason == "fee"


def test_extension_only_once() -> None:
    story = run([ACCEPT, ("extend", D(2026, 3, 10), {"days": 5, "reason": "x"})])
    with pytest.raises(ActionNotAllowed, match="only once"):
        story.do("extend", D(2026, 3, 11), days=5, reason="y")


def test_extension_days_at_most_twenty() -> None:
    story = run([ACCEPT])
    with pytest.raises(InvalidField) as err:
        story.do("extend", D(2026, 3, 10), days=21, reason="x")
    assert err.value.field == "days"


def test_set_deadline_directly_by_default() -> None:
    # Policy default: the request for reasons may have happened off the record; the deadline replaces
    # the computed one, and the reason is optional (Art. 35 asks for a reasonable deadline and notice).
    story = run([ACCEPT])
    assert "set_deadline" in allowed(story, today=D(2026, 3, 10))
    story.do("set_deadline", D(2026, 3, 10), due_on="2026-05-29")
    assert story.clock(D(2026, 3, 10)).due_on == D(2026, 5, 29)


def test_set_deadline_needs_reasons_first_and_a_later_date() -> None:
    story = Story(RECEIPT, policy=replace(POLICY, art35_requires_reasons_request=True))
    story.do(*ACCEPT[:2], **ACCEPT[2])
    assert "set_deadline" not in allowed(story, today=D(2026, 3, 10))
    with pytest.raises(ActionNotAllowed, match="request_reasons"):
        story.do("set_deadline", D(2026, 3, 10), due_on="2026-05-29", reason="x")
    story.do("request_reasons", D(2026, 3, 5))
    with pytest.raises(InvalidField) as err:
        story.do("set_deadline", D(2026, 3, 10), due_on="2026-03-27", reason="x")
    assert err.value.field == "due_on"
    with pytest.raises(ActionNotAllowed, match="on or before the current due date"):
        story.do("set_deadline", D(2026, 3, 31), due_on="2026-05-29", reason="x")
    with pytest.raises(InvalidField):
        story.do("set_deadline", D(2026, 3, 10), reason="x")  # due_on is required
    story.do("set_deadline", D(2026, 3, 10), due_on="2026-05-29", reason="x")
    with pytest.raises(ActionNotAllowed, match="Art. 35"):
        story.do("extend", D(2026, 3, 11), reason="x")


def test_only_one_fee_notice() -> None:
    story = run([ACCEPT, FEE, ("receive_payment", D(2026, 3, 6), {})])
    with pytest.raises(ActionNotAllowed, match="fee notice"):
        story.do("issue_fee_notice", D(2026, 3, 9), amount_yuan=100)


# --- field validation (422) -------------------------------------------------------------------


@pytest.mark.parametrize(("action", "params", "field"), [
    ("withdraw", {"on": "2026-03-06"}, "on"),  # in the future (today 3/5)
    ("withdraw", {"on": "2026-03-01"}, "on"),  # before receipt
    ("withdraw", {"on": "03/04/2026"}, "on"),
    ("withdraw", {"on": "2026-03-04T10:00"}, "on"),
    ("request_correction", {"items": [" "]}, "items"),
    ("request_correction", {"items": ["x"], "period_days": 0}, "period_days"),
    ("request_correction", {"items": ["x"], "period_days": "abc"}, "period_days"),
    ("start_consultation", {"kind": "third_party"}, "party"),
    ("start_consultation", {"party": "x", "kind": "court"}, "kind"),
    ("issue_fee_notice", {"amount_yuan": -5}, "amount_yuan"),
    ("issue_fee_notice", {"amount_yuan": "abc"}, "amount_yuan"),
    ("issue_fee_notice", {"amount_yuan": 10.005}, "amount_yuan"),
    ("issue_fee_notice", {}, "amount_yuan"),
    ("extend", {"days": True, "reason": "x"}, "days"),
    ("reply", {}, "decision"),
    ("reply", {"decision": "maybe"}, "decision"),
    ("reply", {"decision": "withhold", "reason": "x", "withhold_reason": 9}, "withhold_reason"),
    ("reply", {"decision": "disclose"}, "disclosure"),
    ("reply", {"decision": "not_exist", "served_on": "2026-03-04", "issued_on": "2026-03-05"}, "served_on"),
    ("reply", {"decision": "not_exist", "service_method": "pigeon"}, "service_method"),
    ("reply", {"decision": "not_exist", "force": "perhaps"}, "force"),
    ("withdraw", {"on": 20260305}, "on"),
    ("nonsense", {}, "action"),
])
def test_bad_fields_are_named(action: str, params: dict[str, Any], field: str) -> None:
    story = run([ACCEPT])
    before = list(story.events)
    with pytest.raises(InvalidField) as err:
        story.do(action, D(2026, 3, 5), **params)
    assert err.value.field == field
    assert story.events == before


def test_dates_may_not_precede_the_previous_fact() -> None:
    story = run([ACCEPT, CONSULT])
    with pytest.raises(InvalidField, match="previous recorded fact") as err:
        story.do("end_consultation", D(2026, 3, 20), on="2026-03-06")
    assert err.value.field == "on"


def test_every_date_defaults_to_today() -> None:
    story = run([ACCEPT])
    out = story.do("start_consultation", D(2026, 3, 9), party="x")
    assert out.events[0].on == D(2026, 3, 9)
    out = story.do("end_consultation", D(2026, 3, 20), on="2026-03-16")  # explicit past date
    assert out.events[0].on == D(2026, 3, 16)


# --- letters -----------------------------------------------------------------------------------

LETTER_OF = {name: spec.letter for name, spec in ACTIONS.items()}


@pytest.mark.parametrize(("steps", "action", "day", "params", "kind"), [
    ([ACCEPT], "request_correction", D(2026, 3, 3), {"items": ["x"]}, "correction_notice"),
    ([ACCEPT], "start_consultation", D(2026, 3, 9), {"party": "某公司"}, "consultation"),
    ([ACCEPT, CONSULT], "end_consultation", D(2026, 3, 16), {"opinion": "不同意", "disclose_anyway": True,
                                                         "reason": "涉及公共利益"},
     "third_party_opinion"),
    ([ACCEPT], "issue_fee_notice", D(2026, 3, 4), {"amount_yuan": 100}, "fee_notice"),
    ([ACCEPT], "extend", D(2026, 3, 9), {"reason": "x"}, "extension_notice"),
    ([ACCEPT], "request_reasons", D(2026, 3, 9), {}, "reasons_request"),
    ([ACCEPT], "reply", D(2026, 3, 9), {"decision": "not_exist"}, "reply"),
])
def test_each_sending_action_orders_its_letter(steps: list[Step], action: str, day: date,
                                               params: dict[str, Any], kind: str) -> None:
    story = run(steps)
    out = story.do(action, day, **params)
    (letter,) = out.letters
    assert letter.kind == kind and letter.issued_on == day
    assert letter.fields["request_number"] == NUMBER and letter.fields["applicant_name"] == "张三"


def test_registration_orders_a_receipt() -> None:
    story = Story(RECEIPT)
    (letter,) = story.outcomes[0].letters
    assert letter.kind == "receipt" and letter.fields["due_on"] == "2026-03-30"


def test_end_of_consultation_sends_nothing_by_default() -> None:
    assert run([ACCEPT, CONSULT]).do("end_consultation", D(2026, 3, 16)).letters == []


@pytest.mark.parametrize("params", [
    {},  # silence
    {"opinion": "同意公开"},  # consent
    {"opinion": "不同意公开，涉及商业秘密", "objected": True},  # objection the agency respects
])
def test_no_third_party_letter_unless_disclosing_over_an_objection(params: dict[str, Any]) -> None:
    story = run([ACCEPT, CONSULT])
    out = story.do("end_consultation", D(2026, 3, 16), **params)
    assert out.letters == []
    assert story.case.consultations[-1].objected is bool(params.get("objected"))


def test_disclosing_over_an_objection_tells_the_third_party_why() -> None:
    story = run([ACCEPT, CONSULT])
    out = story.do("end_consultation", D(2026, 3, 16), actor=HANDLER, opinion="不同意公开，涉及商业秘密",
                   disclose_anyway=True, reason="涉及公共财政资金使用，不公开将对公共利益造成重大影响")
    (letter,) = out.letters
    assert letter.kind == "third_party_opinion" and letter.issued_on == D(2026, 3, 16)
    assert {k: letter.fields[k] for k in ("party", "opinion", "reason")} == {
        "party": "某公司", "opinion": "不同意公开，涉及商业秘密",
        "reason": "涉及公共财政资金使用，不公开将对公共利益造成重大影响"}
    ended = story.case.consultations[-1]
    assert ended.objected and ended.disclose_anyway and ended.reason
    # The older name of the flag (notify_party) means the same.
    again = run([ACCEPT, CONSULT]).do("end_consultation", D(2026, 3, 16), opinion="不同意", notify_party=True,
                                      reason="公共利益")
    assert [x.kind for x in again.letters] == ["third_party_opinion"]


@pytest.mark.parametrize(("params", "field"), [
    ({"opinion": "不同意", "disclose_anyway": True}, "reason"),  # Art. 32: the reason must be told
    ({"opinion": "不同意", "disclose_anyway": True, "reason": " "}, "reason"),
    ({"disclose_anyway": True, "reason": "公共利益"}, "opinion"),  # silence is not an objection
    ({"objected": True}, "opinion"),
    ({"opinion": "同意", "objected": False, "disclose_anyway": True, "reason": "x"}, "objected"),
    ({"opinion": "不同意", "reason": "公共利益"}, "reason"),  # a reason without a decision to disclose
    ({"opinion": "不同意", "disclose_anyway": "maybe", "reason": "x"}, "disclose_anyway"),
    ({"opinion": "不同意", "disclose_anyway": True, "notify_party": False, "reason": "x"}, "notify_party"),
])
def test_end_consultation_fields_are_checked(params: dict[str, Any], field: str) -> None:
    story = run([ACCEPT, CONSULT])
    before = list(story.events)
    with pytest.raises(InvalidField) as err:
        story.do("end_consultation", D(2026, 3, 16), **params)
    assert err.value.field == field
    assert story.events == before


def test_only_a_third_party_is_disclosed_over_and_not_by_a_clerk() -> None:
    agency = run([ACCEPT, ("start_consultation", D(2026, 3, 9), {"party": "市财政局", "kind": "agency"})])
    with pytest.raises(InvalidField) as err:
        agency.do("end_consultation", D(2026, 3, 16), opinion="不同意", disclose_anyway=True, reason="x")
    assert err.value.field == "disclose_anyway"
    with pytest.raises(ActionNotAllowed) as refused:
        run([ACCEPT, CONSULT]).do("end_consultation", D(2026, 3, 16), actor=CLERK, opinion="不同意",
                                  disclose_anyway=True, reason="公共利益")
    assert "handler or approver" in refused.value.reason


def missing_seal(order: Any) -> list[str]:
    return ["seal"] if not order.fields.get("seal_confirmed") else []


def test_letter_with_missing_elements_is_refused_without_force() -> None:
    story = run([ACCEPT])
    before = list(story.events)
    with pytest.raises(Conflict) as err:
        story.do("reply", D(2026, 3, 9), decision="not_exist", check_letter=missing_seal)
    assert err.value.details["missing"] == ["seal"]
    assert story.events == before
    out = story.do("reply", D(2026, 3, 9), decision="not_exist", seal_confirmed=True, check_letter=missing_seal)
    assert [a.kind for a in out.assessment] == [CASE_CLOSED]


def test_forced_reply_emits_exactly_one_defect() -> None:
    story = run([ACCEPT])
    out = story.do("reply", D(2026, 3, 9), decision="not_exist", force=True,
                   check_letter=lambda o: ["seal", "remedy_notice"])
    defects = [a for a in out.assessment if a.kind == REPLY_DEFECT]
    assert len(defects) == 1
    assert defects[0].details["missing"] == ["seal", "remedy_notice"]
    assert defects[0].key == f"{REPLY_DEFECT}:{NUMBER}:reply"
    assert story.case.reply is not None and story.case.reply.forced
    assert story.case.reply.missing == ("seal", "remedy_notice")


def test_only_an_approver_may_force_a_letter() -> None:
    story = run([ACCEPT])
    with pytest.raises(ActionNotAllowed, match="only an approver"):
        story.do("request_correction", D(2026, 3, 3), actor=HANDLER, items=["x"], force=True,
                 check_letter=lambda o: ["period"])
    out = story.do("request_correction", D(2026, 3, 3), items=["x"], force=True, check_letter=lambda o: ["period"])
    (defect,) = out.assessment
    assert defect.kind == REPLY_DEFECT and defect.details["letter_kind"] == "correction_notice"


# --- assessment events --------------------------------------------------------------------------


def test_reply_on_the_due_date_is_on_time_and_closes_the_case() -> None:
    story = run([ACCEPT])
    out = story.do("reply", DUE, decision="not_exist")
    (closed,) = out.assessment
    assert closed.kind == CASE_CLOSED and closed.details["due_on"] == "2026-03-30"
    assert closed.details["table3_row"] == "三（四）1"


def test_reply_after_the_due_date_is_late_with_the_same_key_as_the_sweep() -> None:
    story = run([ACCEPT])
    swept = sweep_case(story.case, as_of=D(2026, 3, 31), calendar=CAL, policy=POLICY).assessment
    out = story.do("reply", D(2026, 3, 31), decision="not_exist")
    late = [a for a in out.assessment if a.kind == REPLY_LATE]
    assert len(late) == 1
    assert late[0].details == {"request_number": NUMBER, "due_on": "2026-03-30", "issued_on": "2026-03-31",
                               "served_on": None, "working_days_late": 1}
    assert late[0].key == swept[0].key == f"{REPLY_LATE}:{NUMBER}:reply"


def test_reply_served_after_the_due_date_is_late() -> None:
    story = run([ACCEPT])
    out = story.do("reply", D(2026, 3, 31), issued_on="2026-03-30", served_on="2026-03-31", service_method="post",
                   decision="not_exist")
    assert REPLY_LATE in [a.kind for a in out.assessment]


def test_corrected_review_is_assessed_once_per_review() -> None:
    story = run([ACCEPT, REPLY, REVIEW])
    out = story.do("decide_review", D(2026, 6, 1), review="R1", outcome="corrected")
    (corrected,) = out.assessment
    assert corrected.kind == REVIEW_CORRECTED and corrected.subject == "review:R1"
    assert corrected.details["kind"] == "reconsideration" and corrected.details["request_number"] == NUMBER
    with pytest.raises(ActionNotAllowed):
        story.do("decide_review", D(2026, 6, 2), review="R1", outcome="upheld")
    story.do("record_review", D(2026, 6, 10), kind="litigation", body="常熟市人民法院", after_reconsideration=True)
    assert [r.id for r in story.case.reviews] == ["R1", "R2"]
    assert story.case.reviews[1].after_reconsideration


def test_review_dates() -> None:
    story = run([ACCEPT, REPLY, ARCHIVE])
    with pytest.raises(InvalidField) as err:  # before the reply of 3/20
        story.do("record_review", D(2026, 4, 1), filed_on="2026-03-19", kind="reconsideration", body="x")
    assert err.value.field == "filed_on"
    # Filed before the archive date but recorded later: fine (reviews have their own chain of dates).
    story.do("record_review", D(2026, 4, 1), filed_on="2026-03-21", kind="reconsideration", body="x")
    with pytest.raises(InvalidField):
        story.do("decide_review", D(2026, 4, 1), decided_on="2026-03-20", outcome="upheld")
    with pytest.raises(InvalidField) as err:
        story.do("decide_review", D(2026, 4, 1), review="R9", outcome="upheld")
    assert err.value.field == "review"
    with pytest.raises(InvalidField, match="only a lawsuit"):
        story.do("record_review", D(2026, 4, 1), kind="reconsideration", body="x", after_reconsideration=True)


# --- replay ---------------------------------------------------------------------------------------


def test_case_as_of_an_earlier_day_is_the_fold_of_the_events_up_to_it() -> None:
    story = run([ACCEPT, CONSULT, ("end_consultation", D(2026, 3, 20), {}),
                 ("extend", D(2026, 4, 1), {"days": 10, "reason": "x"}), ("reply", D(2026, 4, 20),
                                                                       {"decision": "not_exist"})])
    as_of = {e.on: fold(x for x in story.events if x.on <= e.on) for e in story.events}
    assert as_of[D(2026, 3, 9)].status == Status.CONSULTING
    assert as_of[D(2026, 3, 20)].status == Status.REVIEWING and as_of[D(2026, 3, 20)].extension is None
    assert as_of[D(2026, 4, 1)].extension is not None
    # The recorded due dates are the history of the due date: 4/13 after the consultation (as if the
    # pause had ended the day it was sent: 3/30 + 0), then 4/13 + 10 = 4/27 after the extension.
    assert [e.data["due_on"] for e in story.events] == [
        "2026-03-30", "2026-03-30", "2026-03-30", "2026-04-13", "2026-04-27", "2026-04-27"]


def test_unknown_events_are_carried_but_change_nothing() -> None:
    from workflow.events import DomainEvent

    story = Story(RECEIPT)
    case = fold([*story.events, DomainEvent("letter_uploaded", D(2026, 3, 3), {"file": "x.pdf"})])
    assert case.status == Status.REGISTERED and case.version == 2 and case.last_fact_on == RECEIPT


def test_fold_needs_a_registration_first() -> None:
    from workflow.events import DomainEvent

    with pytest.raises(ValueError):
        fold([])
    with pytest.raises(ValueError):
        fold([DomainEvent("accepted", RECEIPT, {})])


# --- property: random walks through the machine ----------------------------------------------------

PARAMS: dict[str, dict[str, Any]] = {
    "request_correction": {"items": ["x"], "period_days": 5},
    "lapse": {},
    "start_consultation": {"party": "某公司"},
    "issue_fee_notice": {"amount_yuan": 100},
    "waive_fee": {"fee_method": "per_volume", "pages": 40, "waiver_reason": "经济困难"},
    "extend": {"days": 3, "reason": "x"},
    "set_deadline": {"reason": "x"},
    "reply": {"decision": "not_exist"},
    "record_review": {"kind": "reconsideration", "body": "x"},
    "decide_review": {"outcome": "corrected"},
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_walks_keep_the_invariants(data: st.DataObject) -> None:
    story = Story(RECEIPT)
    day = RECEIPT
    for _ in range(data.draw(st.integers(1, 12))):
        day = date.fromordinal(day.toordinal() + data.draw(st.integers(0, 9)))
        options = allowed(story, APPROVER, day)
        if not options:
            break
        action = data.draw(st.sampled_from(options))
        params = dict(PARAMS.get(action, {}))
        if action == "set_deadline":
            current = story.clock(day).due_on
            assert current is not None
            params["due_on"] = date.fromordinal(current.toordinal() + 30).isoformat()
        if action == "decide_review":
            params["review"] = next(r.id for r in story.case.reviews if r.outcome is None)
        before = story.case
        out = story.do(action, day, **params)  # anything offered by allowed_actions must succeed
        spec = ACTIONS[action]
        after = story.case
        assert after == out.case
        assert after.status == (spec.target or before.status)
        assert [e.on for e in story.events if e.kind not in ("review_recorded", "review_decided")] == sorted(
            e.on for e in story.events if e.kind not in ("review_recorded", "review_decided"))
        keys = [a.key for a in out.assessment]
        assert len(keys) == len(set(keys))
        status = story.clock(day)
        if status.due_on is not None and after.deadline is None and not status.pauses:
            assert CAL.working_days_between(status.start, status.due_on) == POLICY.reply_days + (
                after.extension.days if after.extension else 0)


def test_perform_never_mutates_the_case() -> None:
    story = run([ACCEPT])
    case = story.case
    snapshot = replace(case)
    story.do("start_consultation", D(2026, 3, 9), party="x")
    assert case == snapshot


def test_docs_carry_the_current_diagram() -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[1] / "docs" / "workflow.md").read_text(encoding="utf-8")
    assert mermaid() in doc, "docs/workflow.md is out of date: paste workflow.machine.mermaid() into it"


def test_workflow_imports_no_web_or_database_code() -> None:
    import ast
    from pathlib import Path

    banned = {"fastapi", "sqlmodel", "sqlalchemy", "jinja2", "service", "scoring"}
    root = Path(__file__).parents[1] / "workflow"
    for path in sorted(root.rglob("*.py")):
        name = str(path.relative_to(root))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                mods = [node.module or ""]
            else:
                continue
            assert not {m.split(".")[0] for m in mods} & banned, (name, mods)


def test_correction_without_items_asks_for_the_article_29_description() -> None:
    story = run([ACCEPT])
    out = story.do("request_correction", D(2026, 3, 4))
    assert "第二十九条" in out.letters[0].fields["items"][0]
