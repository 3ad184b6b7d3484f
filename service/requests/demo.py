"""`ogi demo`: a realistic data set for a new user to look at — a city government office with
several departments, users for every role, and a few hundred requests across all states and
decisions, entered through the same use cases as the API (with past dates)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from service.agencies.models import Agency
from service.requests import service
from service.users.models import User
from service.users.service import add_user, create_token, visible_agency_ids
from workflow.errors import DomainError

DEMO_AGENCIES = Path(__file__).with_name("demo_agencies.toml")
DEMO_PASSWORD = "demo-password"
BEIJING = ZoneInfo("Asia/Shanghai")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英"]
COMPANIES = [("苏州某建设工程有限公司", "商业企业"), ("某市环境科学研究院", "科研机构"),
             ("某公益环保协会", "社会公益组织"), ("某律师事务所", "法律服务机构"), ("某业主委员会", "其他")]
TOPICS = [
    "某小区旧城改造项目的立项批复文件", "2025年度城市道路维修工程招标文件及中标结果", "某地块国有土地使用权出让合同",
    "某化工企业环境影响评价报告书及批复", "2026年度保障性住房分配名单", "某河道整治工程的财政预算及决算",
    "某建设项目规划许可证及附图", "本单位2025年度“三公”经费决算明细", "某街道拆迁补偿安置方案",
    "某企业排污许可证及监督性监测数据", "某路段交通信号灯设置依据", "某学校新建工程竣工验收备案材料",
]
DECISIONS = [
    ("disclose", {"disclosure": "现将所申请信息随本答复书一并提供（共3页）。"}),
    ("already_public", {"access_route": "该信息已在本机关门户网站“政府信息公开”栏目主动公开，网址：https://www.example.gov.cn/xxgk/"}),
    ("partial", {"disclosure": "提供项目批复文件正文。", "withheld_parts": [
        {"what": "附件中个人身份证号码和联系电话", "category": 4, "explanation": "属于第三方个人隐私"}]}),
    ("withhold", {"withhold_reason": 6, "reason": "所申请信息为讨论记录，属于过程性信息。"}),
    ("not_exist", {}),
    ("not_this_agency", {"reason": "所申请信息由自然资源和规划部门制作并保存。", "competent_agency": {"name": "常熟市自然资源和规划局", "contact": "0512-52000009"}}),
    ("needs_creation", {}),
    ("repeat", {"previous_reply_ref": "本机关已于2026年3月2日作出答复"}),
    ("petition", {}),
    ("publication", {"publication": {"title": "常熟年鉴（2025）", "where": "常熟市图书馆查阅"}}),
    ("registry", {"law_and_procedure": "不动产登记资料查询按《不动产登记资料查询暂行办法》向不动产登记机构申请。"}),
]


def released_pdf(pages: int = 3) -> bytes:
    """A plain PDF of blank pages standing for the released documents of the demo's disclosures."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


@dataclass
class DemoReport:
    """What ``ogi demo`` loaded."""

    agencies: int
    users: list[tuple[str, str, str]]
    requests: int
    by_status: dict[str, int]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.5 else "")


def _resident_id(rng: random.Random) -> str:
    body = f"320581{rng.randint(1960, 2002)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(100, 999)}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


def _credit_code(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    body = "91320581" + "".join(rng.choice(alphabet) for _ in range(9))
    check = alphabet[(31 - sum(alphabet.index(c) * w for c, w in zip(body, weights, strict=True)) % 31) % 31]
    return body + check


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=BEIJING).astimezone(UTC)


def load_demo(*, session: Session, requests: int = 300, seed: int = 2026, today: date | None = None) -> DemoReport:
    """Load the demo agencies, users (password ``demo-password``) and ``requests`` requests."""
    from service.agencies.service import import_file

    rng = random.Random(seed)
    today = today or datetime.now(BEIJING).date()
    import_file(session=session, path=DEMO_AGENCIES)
    agencies = list(session.exec(select(Agency).order_by(Agency.code)))
    users: list[tuple[str, str, str]] = []
    by_agency: dict[int, dict[str, User]] = {}
    for agency in agencies:
        roles = ["assessor", "admin"] if agency.parent_id is None else ["clerk", "handler", "approver"]
        for role in roles:
            username = f"{agency.code}_{role}"
            if session.exec(select(User).where(User.username == username)).first() is None:
                # A person's name (the header adds role and unit); its own generator keeps the data set unchanged.
                # The top office's admin is the demo's deployment admin (national calendars).
                add_user(session=session, username=username, password=DEMO_PASSWORD, role=role,
                         agency_code=agency.code, display_name=_name(random.Random(username)),
                         deployment_admin=role == "admin")
                create_token(session=session, username=username, name="demo")
            users.append((username, role, agency.code))
            by_agency.setdefault(agency.id, {})[role] = session.exec(  # type: ignore[index]
                select(User).where(User.username == username)).one()
    units = [a for a in agencies if a.parent_id is not None]
    counts: dict[str, int] = {}
    made = 0
    for i in range(requests):
        agency = units[i % len(units)]
        staff = by_agency[agency.id]  # type: ignore[index]
        try:
            # One savepoint per request: a generated path the rules refuse leaves nothing behind
            # (its serial number included), and the data set stays lawful.
            with session.begin_nested():
                status = _one_request(session=session, rng=rng, agency=agency, staff=staff, today=today)
        except DomainError:
            continue
        counts[status] = counts.get(status, 0) + 1
        made += 1
    return DemoReport(agencies=len(agencies), users=users, requests=made, by_status=counts)


def _one_request(*, session: Session, rng: random.Random, agency: Agency, staff: dict[str, User],
                 today: date) -> str:
    """Register one request some days ago and carry it along a random but lawful path."""
    clerk, handler, approver = staff["clerk"], staff["handler"], staff["approver"]
    visible = visible_agency_ids(session=session, user=clerk)
    age = rng.randint(0, 150)
    received = today - timedelta(days=age)
    if received.weekday() >= 5:
        received -= timedelta(days=received.weekday() - 4)
    if rng.random() < 0.75:
        applicant = {"kind": "natural_person", "name": _name(rng), "id_type": "resident_id",
                     "id_number": _resident_id(rng), "phone": f"139{rng.randint(10000000, 99999999)}",
                     "address": "江苏省常熟市虞山街道某路某号"}
    else:
        company, kind = rng.choice(COMPANIES)
        applicant = {"kind": "organisation", "org_kind": kind, "name": company, "id_type": "uscc",
                     "id_number": _credit_code(rng), "phone": f"0512-{rng.randint(50000000, 59999999)}",
                     "address": "江苏省常熟市某开发区某路某号"}
    channel = rng.choice(["in_person", "registered_post", "online", "email"])
    data = {"applicant": applicant, "channel": channel, "arrival_at": _at(received, 9),
            "confirmed_on": received if channel in ("online", "email") else None,
            "description": f"申请公开{rng.choice(TOPICS)}。", "form": rng.choice(["paper", "electronic"]),
            # The demo offices have no electronic seal, so nobody is served by e-mail (a letter served
            # electronically needs the e-seal): e-mail applicants get their letters by post.
            "delivery": rng.choice(["post", "post", "collection"]), "attachments": []}
    record, _ = service.register(session=session, user=clerk, visible=visible, data=data, now=_at(received, 10))

    def act(user: User, day: date, **payload: object) -> None:
        # The demo offices have no electronic seal: every letter is wet-stamped and confirmed.
        service.act(session=session, user=user, visible=visible, request_id=record.id,  # type: ignore[arg-type]
                    payload={"seal_confirmed": True, **payload}, now=_at(min(day, today), 15))

    def served(kind: str, sent: date, got: date) -> None:
        # Handed over at the counter: the applicant's receipt is on record (a case lapses only then).
        from service.delivery.service import record as record_service
        from service.letters.models import Letter

        letter = session.exec(select(Letter).where(Letter.request_id == record.id, Letter.kind == kind)).one()
        record_service(session=session, user=clerk, visible=visible, letter_id=letter.id,  # type: ignore[arg-type]
                       data={"method": "direct", "sent_on": sent.isoformat(), "received_on": got.isoformat()},
                       now=_at(min(got, today), 16))

    step = received + timedelta(days=1)
    roll = rng.random()
    if age < 2 or roll < 0.08:
        return record.status
    act(handler, step, action="accept")
    if roll < 0.12:
        act(clerk, step + timedelta(days=2), action="withdraw", on=(step + timedelta(days=2)).isoformat())
        return record.status
    if roll < 0.25:
        sent = step + timedelta(days=1)
        act(handler, sent, action="request_correction", sent_on=sent.isoformat(), period_days=10,
            items="请明确所申请信息的名称、文号或者便于查询的其他特征性描述。")
        if age < 20 or roll < 0.15:
            return record.status
        if roll < 0.17:  # never corrected: the application is deemed abandoned (视为放弃申请)
            gone = sent + timedelta(days=20)
            served("correction_notice", sent, sent)
            act(handler, gone, action="lapse", on=gone.isoformat(), reason="correction")
            return record.status
        got = sent + timedelta(days=6)
        act(clerk, got, action="receive_correction", received_on=got.isoformat())
        step = got
    elif roll < 0.33:
        sent = step + timedelta(days=3)
        act(handler, sent, action="start_consultation", sent_on=sent.isoformat(), party="某第三方企业",
            kind="third_party")
        if age < 30 or roll < 0.27:
            return record.status
        end = sent + timedelta(days=12)
        act(handler, end, action="end_consultation", on=end.isoformat(), opinion="同意公开")
        step = end
    elif roll < 0.39:
        # Large volume: a processing fee (国办函〔2020〕109号), paid or not.
        sent = step + timedelta(days=2)
        act(handler, sent, action="issue_fee_notice", sent_on=sent.isoformat(), amount_yuan=300)
        if age < 20 or roll < 0.35:
            return record.status
        if roll < 0.36:
            gone = sent + timedelta(days=35)
            served("fee_notice", sent, sent)
            act(handler, gone, action="lapse", on=gone.isoformat(), reason="fee")
            return record.status
        paid = sent + timedelta(days=7)
        act(clerk, paid, action="receive_payment", on=paid.isoformat())
        step = paid
    if age < 25 and rng.random() < 0.6:
        return record.status
    if rng.random() < 0.12:
        ext = step + timedelta(days=10)
        act(approver, ext, action="extend", notified_on=ext.isoformat(), days=15, reason="需要调取档案核实")
        step = ext
    # Most replies in time; some late on purpose, so the assessment pages have something to show.
    reply_day = step + timedelta(days=rng.choice([5, 10, 14, 18, 20, 24, 40]))
    if reply_day > today:
        return record.status
    decision, fields = rng.choice(DECISIONS)
    if decision == "disclose":
        # The reply says the information goes with it: the released document is attached first.
        from service.files.service import attach_bytes

        attach_bytes(session=session, user=handler, visible=visible, request_id=record.id, kind="released",  # type: ignore[arg-type]
                     data=released_pdf(), filename="公开的政府信息.pdf", now=_at(min(reply_day, today), 14))
    act(approver, reply_day, action="reply", decision=decision, issued_on=reply_day.isoformat(),
        served_on=reply_day.isoformat(), service_method="post", **fields)
    if rng.random() < 0.1:
        filed = reply_day + timedelta(days=20)
        if filed <= today:
            kind = rng.choice(["reconsideration", "litigation"])
            act(handler, filed, action="record_review", kind=kind, filed_on=filed.isoformat(),
                body=agency.reconsideration_body if kind == "reconsideration" else agency.court)
            decided = filed + timedelta(days=45)
            if decided <= today:
                act(handler, decided, action="decide_review", decided_on=decided.isoformat(),
                    outcome=rng.choice(["upheld", "upheld", "corrected", "other"]))
    if reply_day + timedelta(days=30) < today and rng.random() < 0.7:
        done = reply_day + timedelta(days=30)
        act(handler, done, action="archive", on=done.isoformat())
    return record.status
