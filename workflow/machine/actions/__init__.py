"""One handler per action: the action's parameters in, (events, assessment events, letter orders) out.

Handlers only parse and compute; the state, role and guard checks are done by ``perform`` from the
action's row in ``workflow.machine.table`` before the handler runs. A handler may still refuse a
choice only it can see (``Refused``, HTTP 409) or a field (``InvalidField``, HTTP 422).

One module per stage of a request (``workflow.machine.actions.do_x`` keeps working for every handler):

- ``base``         — ``Result``, ``letter_base`` (a letter's case fields), ``assessment_event``.
- ``intake``       — 受理, 告知补正, 收到补正, 视为放弃.
- ``consultation`` — 征求意见, 收到意见/期满 (Arts. 32–34).
- ``fee``          — 发出收费通知, 减免信息处理费, 收到缴费 (Art. 42).
- ``time_limits``  — 延期答复 (Art. 33 ¶2), 要求说明理由, 确定合理答复期限 (Art. 35).
- ``closing``      — 答复, 归档, 申请人撤回.
- ``review``       — 登记复议/诉讼 and its result.
"""

from __future__ import annotations

from workflow.machine.actions.base import Result, assessment_event, letter_base
from workflow.machine.actions.closing import do_archive, do_reply, do_withdraw
from workflow.machine.actions.consultation import do_end_consultation, do_start_consultation
from workflow.machine.actions.fee import do_issue_fee_notice, do_receive_payment, do_waive_fee
from workflow.machine.actions.intake import do_accept, do_lapse, do_receive_correction, do_request_correction
from workflow.machine.actions.review import do_decide_review, do_record_review
from workflow.machine.actions.time_limits import do_extend, do_request_reasons, do_set_deadline

__all__ = [
    "Result", "assessment_event", "do_accept", "do_archive", "do_decide_review", "do_end_consultation", "do_extend",
    "do_issue_fee_notice", "do_lapse", "do_receive_correction", "do_receive_payment", "do_record_review",
    "do_reply", "do_request_correction", "do_request_reasons", "do_set_deadline", "do_start_consultation",
    "do_waive_fee", "do_withdraw", "letter_base",
]
