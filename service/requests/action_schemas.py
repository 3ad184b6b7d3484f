"""The body of ``POST /requests/{id}/actions`` as a discriminated union on ``action`` (for /openapi.json).

One model per action of ``workflow.machine.ACTIONS``, built from ``PARAMETERS`` below: each field is
documented with its JSON type and meaning. The values are still checked by the workflow (one source
of truth for the rules, with its coded 422/409 errors), so the fields are declared loosely here and
extra fields are allowed (a reply's decision-specific fields, ``force``). A test keeps ``PARAMETERS``
and the action table in step: adding an action means adding its row here too.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, create_model

from workflow.machine import ACTIONS
from workflow.replies import DECISIONS

_DATE = {"type": "string", "format": "date"}
_TEXT = {"type": "string"}
_INT = {"type": "integer"}
_BOOL = {"type": "boolean"}
_LIST = {"type": "array", "items": {"type": "string"}}
_TODAY = "Defaults to today (the agency's day); not in the future, not before the previous recorded fact."


def _enum(*values: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


# action → field → (JSON schema, description, required)
PARAMETERS: dict[str, dict[str, tuple[dict[str, Any], str, bool]]] = {
    "accept": {"on": (_DATE, f"受理日期. {_TODAY}", False)},
    "request_correction": {
        "sent_on": (_DATE, f"补正告知书发出日期. {_TODAY}", False),
        "period_days": (_INT, "补正期限, working days (default 15, 1–60).", False),
        "items": (_LIST, "What the applicant must correct (Art. 30); default: the Art. 29 ¶2 description.", False),
    },
    "receive_correction": {"received_on": (_DATE, f"收到补正之日. {_TODAY}", False)},
    "lapse": {"on": (_DATE, f"视为放弃之日 (after the window). {_TODAY}", False),
              "reason": (_enum("correction", "fee"), "Why; defaults from the state and must match it.", False)},
    "start_consultation": {
        "sent_on": (_DATE, f"征求意见函发出日期. {_TODAY}", False),
        "party": (_TEXT, "The third party or agency consulted.", True),
        "kind": (_enum("third_party", "agency"), "Third party (Art. 32) or co-producing agency (Art. 34).", False),
    },
    "end_consultation": {
        "on": (_DATE, f"Opinion received, or the window ran out. {_TODAY}", False),
        "opinion": (_TEXT, "What the party said; absent = silence.", False),
        "objected": (_BOOL, "The party objected (needs opinion).", False),
        "disclose_anyway": (_BOOL, "Disclose despite a third party's objection (handler/approver).", False),
        "notify_party": (_BOOL, "Older name of disclose_anyway.", False),
        "reason": (_TEXT, "Required with disclose_anyway: why withholding would harm the public interest.", False),
    },
    "issue_fee_notice": {
        "sent_on": (_DATE, f"收费通知发出日期. {_TODAY}", False),
        "fee_method": (_enum("per_item", "per_volume"), "国办函〔2020〕109号: 按件 (count from the records) or "
                       "按量 (pages); computes the amount and prints the arithmetic. One method, never both.", False),
        "pages": (_INT, "按量: pages of this request.", False),
        "reduction_yuan": ({"type": "string"}, "A reduction of the computed fee (needs waiver_reason).", False),
        "waiver_reason": (_TEXT, "Why the fee is reduced.", False),
        "amount_yuan": ({"type": "string", "pattern": r"^\d+(\.\d{1,2})?$"},
                        "Without fee_method: the amount typed by hand (legacy). With it: optional, must match.", False),
    },
    "waive_fee": {
        "on": (_DATE, f"减免日期. {_TODAY}", False),
        "fee_method": (_enum("per_item", "per_volume"), "The method whose fee is waived.", True),
        "pages": (_INT, "按量: pages of this request.", False),
        "waiver_reason": (_TEXT, "Why the fee is waived.", True),
    },
    "receive_payment": {"on": (_DATE, f"收到缴费之日. {_TODAY}", False)},
    "extend": {
        "notified_on": (_DATE, f"延期告知日期, on or before the due date. {_TODAY}", False),
        "days": (_INT, "Working days (1–20, default 20).", False),
        "reason": (_TEXT, "Reason, recorded when given.", False),
    },
    "request_reasons": {"sent_on": (_DATE, f"要求说明理由 sent. {_TODAY}", False),
                        "reason": (_TEXT, "Note.", False)},
    "set_deadline": {
        "notified_on": (_DATE, f"Art. 35 deadline notified, on or before the due date. {_TODAY}", False),
        "due_on": (_DATE, "The new reasonable deadline, later than the current due date.", True),
        "reason": (_TEXT, "Reason.", False),
    },
    "reply": {
        "decision": (_enum(*DECISIONS),
                     "LAW.md §5 decision code; its own fields are checked by workflow.replies.", True),
        "issued_on": (_DATE, f"成文日期. {_TODAY}", False),
        "served_on": (_DATE, "送达日期, not before issued_on.", False),
        "service_method": (_enum("post", "direct", "email", "online", "fax", "collection"), "送达方式.", False),
        "seal_confirmed": (_BOOL, "The seal was applied.", False),
        "force": (_BOOL, "Approver only: issue despite missing letter elements (a recorded defect).", False),
    },
    "archive": {"on": (_DATE, f"归档日期. {_TODAY}", False)},
    "withdraw": {"on": (_DATE, f"撤回日期. {_TODAY}", False), "reason": (_TEXT, "Reason.", False)},
    "record_review": {
        "kind": (_enum("reconsideration", "litigation"), "行政复议 or 行政诉讼.", True),
        "filed_on": (_DATE, "Filing date, not before the reply.", False),
        "body": (_TEXT, "复议机关 or court.", True),
        "after_reconsideration": (_BOOL, "Litigation after a reconsideration.", False),
    },
    "decide_review": {
        "review": (_TEXT, "R1, R2…; may be left out when only one is undecided.", False),
        "outcome": (_enum("upheld", "corrected", "other"), "Outcome.", True),
        "decided_on": (_DATE, "Decision date, not before the filing.", False),
    },
}


def _model(action: str) -> type[BaseModel]:
    spec = ACTIONS[action]
    fields: dict[str, Any] = {
        "action": (Literal[action], Field(description=f"{spec.label}")),  # type: ignore[valid-type]
    }
    for name, (schema, description, required) in PARAMETERS[action].items():
        extra = dict(schema)
        if required:
            description = f"Required. {description}"
        fields[name] = (Any, Field(default=None, description=description, json_schema_extra=extra))
    camel = "".join(part.title() for part in action.split("_"))
    return create_model(  # type: ignore[call-overload,no-any-return]
        f"{camel}Action", __config__=ConfigDict(extra="allow", title=f"{camel}Action"),
        __doc__=f"{spec.label} ({action}): from {', '.join(sorted(spec.sources))}; roles "
                f"{', '.join(sorted(spec.roles))}.", **fields)


ACTION_MODELS: dict[str, type[BaseModel]] = {name: _model(name) for name in ACTIONS}

ActionBody = Annotated[Union[tuple(ACTION_MODELS.values())], Field(discriminator="action")]  # noqa: UP007
