"""The office's hand-offs reach the next person, read at real local receivers (aiosmtpd, and an HTTP server
playing the signed 钉钉 robot and the OA webhook): 分办 → the handler; a draft submitted → the legal
reviewer; returned with comments → the drafter; passed review → the approver; signed → the handler and the
clerk; a letter still unserved N working days after its issue → the clerk, once."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from tests.notify_receivers import HttpReceiver, SmtpReceiver
from tests.test_notify import DING_SECRET, HOOK_SECRET, LINK, _case, _smtp_port, _sweep, _user, notify_env  # noqa: F401

PEOPLE = {"handler": "zhang@example.gov.cn", "reviewer": "fa@example.gov.cn", "approver": "boss@example.gov.cn",
          "clerk": "deng@example.gov.cn"}


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day + "T02:00:00+00:00")  # 10:00 in Beijing


def _setup(db_url: str, http: HttpReceiver) -> None:
    """A legal reviewer; everyone's e-mail, at once; the unit's 钉钉 robot and OA webhook."""
    from service.db import transaction
    from service.notify.service import add_target, set_preference
    from service.users.service import add_user

    with transaction(db_url) as session:
        add_user(session=session, username="reviewer", password="correct horse", role="reviewer", agency_code="housing")
    with transaction(db_url) as session:
        for username, address in PEOPLE.items():
            user, _ = _user(session, username)
            add_target(session=session, kind="email", address=address, user_id=user.id)
            set_preference(session=session, user_id=user.id, channels=["email"], mode="immediate",  # type: ignore[arg-type]
                           quiet_start=None, quiet_end=None)
        unit = _user(session, "approver")[0].agency_id
        add_target(session=session, kind="dingtalk", address=http.url("/dingtalk?access_token=t"), secret=DING_SECRET,
                   agency_id=unit)
        add_target(session=session, kind="webhook", address=http.url("/hook"), secret=HOOK_SECRET, agency_id=unit)


def _step(db_url: str, who: str, fn, day: str, **kwargs):  # type: ignore[no-untyped-def]
    """One action of ``who`` on ``day``, in its own transaction (as one HTTP request is)."""
    from service.db import transaction

    with transaction(db_url) as session:
        user, visible = _user(session, who)
        result = fn(session=session, user=user, visible=visible, now=_at(day), **kwargs)
        return result[0].id if isinstance(result, tuple) else result.id


def _mail(smtp: SmtpReceiver) -> dict[str, list[str]]:
    """Each person's mail (subject, then text), in the order of the subjects: the worker sends in parallel."""
    out: dict[str, list[str]] = {a: [] for a in PEOPLE.values()}
    for m in smtp.messages:
        out[m["To"]].append(f"{m['Subject']}\n{m.get_body(('plain',)).get_content()}")
    return {k: sorted(v, key=lambda text: ORDER.index(text[1:text.index("】")])) for k, v in out.items()}


ORDER = ["分办", "文稿待审核", "文稿退回修改", "文稿待签发", "文稿已签发", "送达日期未登记"]


def test_each_step_of_a_draft_reaches_who_acts_next(world, db_url, notify_env) -> None:  # noqa: F811 (the fixture)
    from service.drafts import service as drafts
    from service.notify.worker import deliver_all

    http = HttpReceiver(dingtalk_secret=DING_SECRET, webhook_secret=HOOK_SECRET)
    with SmtpReceiver() as smtp, http:
        _smtp_port(notify_env, smtp.port)
        _setup(db_url, http)
        # Received and accepted on Monday 2026-10-12: due 20 working days later, on 2026-11-09.
        rid, number = _case(db_url, datetime(2026, 10, 12, 2, tzinfo=UTC), "2026-10-12", handler=None)
        _step(db_url, "approver", drafts.assign, "2026-10-13", request_id=rid, data={"handler": "handler"})
        params = {"decision": "disclose", "disclosure": "可至本机关查阅"}
        did = _step(db_url, "handler", drafts.create, "2026-10-14", request_id=rid,
                    data={"action": "reply", "params": params})
        _step(db_url, "handler", drafts.submit, "2026-10-14", draft_id=did)
        _step(db_url, "reviewer", drafts.return_for_changes, "2026-10-15", draft_id=did,
              data={"comment": "请写明附件名称"})
        _step(db_url, "handler", drafts.redraft, "2026-10-16", draft_id=did,
              data={"params": {**params, "disclosure": "可至本机关查阅规划许可证（2025）"}})
        _step(db_url, "handler", drafts.submit, "2026-10-16", draft_id=did)
        _step(db_url, "reviewer", drafts.approve, "2026-10-19", draft_id=did, data={"comment": "同意"})
        _step(db_url, "approver", drafts.sign, "2026-10-20", draft_id=did, data={"seal_confirmed": True})
        counts = deliver_all()
        assert counts["retry"] == 0 and counts["dead"] == 0

        mail = _mail(smtp)
        handler, reviewer = mail[PEOPLE["handler"]], mail[PEOPLE["reviewer"]]
        approver, clerk = mail[PEOPLE["approver"]], mail[PEOPLE["clerk"]]
        # 分办 (from the drafts path), the return with its comment, the signing.
        assert [m.split("\n")[0] for m in handler] == [
            f"【分办】{number} 已分配给您办理",
            f"【文稿退回修改】{number} 答复（第 1 稿）",
            f"【文稿已签发】{number} 《政府信息公开申请答复书》常住建依申复〔2026〕1号"]
        assert "答复期限2026年11月9日，剩 19 个工作日。" in handler[0]
        assert "reviewer 退回了依申请公开案件" in handler[1] and "意见：请写明附件名称" in handler[1]
        assert "答复期限2026年11月9日，剩 17 个工作日。" in handler[1] and f"{LINK}/requests/{rid}" in handler[1]
        assert "请及时送达，并在案件页登记送达方式和日期" in handler[2]
        # The reviewer hears of both submissions (the second one is version 2), never of their own steps.
        assert sorted(m.split("\n")[0] for m in reviewer) == [f"【文稿待审核】{number} 答复（第 1 稿）",
                                                            f"【文稿待审核】{number} 答复（第 2 稿）"]
        reviewer.sort()
        assert "请进行法制审核" in reviewer[1] and "剩 16 个工作日" in reviewer[1]
        # Legal review passed: the approver is asked to sign; they are not told of their own signing.
        assert [m.split("\n")[0] for m in approver] == [f"【文稿待签发】{number} 答复（第 2 稿）"]
        assert "reviewer 送来依申请公开案件" in approver[0] and "请审阅最终文书后签发" in approver[0]
        # The clerk, who serves the letter, hears of the signing only.
        assert [m.split("\n")[0] for m in clerk] == [handler[2].split("\n")[0]]

        # The unit's 钉钉 robot (signed) and OA webhook get each notice once.
        assert len(http.ok("/dingtalk")) == 6 and all(h.signature_ok for h in http.ok("/dingtalk"))
        hooks = {h.body["kind"]: h.body for h in http.ok("/hook")}
        assert len(http.ok("/hook")) == 6 and all(h.signature_ok for h in http.ok("/hook"))
        assert set(hooks) == {"assigned", "draft_submitted", "draft_returned", "draft_to_sign", "draft_signed"}
        assert hooks["draft_signed"]["data"]["letter_number"] == "常住建依申复〔2026〕1号"
        data = hooks["draft_to_sign"]["data"]
        assert (data["version"], data["action"], data["due_on"], data["days_left"]) == (2, "reply", "2026-11-09", 15)


def test_an_unserved_letter_reaches_the_clerk_once_after_n_working_days(world, db_url, notify_env) -> None:  # noqa: F811
    from service.db import transaction
    from service.delivery import service as delivery
    from service.letters.models import Letter
    from service.notify.worker import deliver_all

    notify_env.setenv("OGI_SERVICE_MISSING_DAYS", "3")
    http = HttpReceiver(dingtalk_secret=DING_SECRET, webhook_secret=HOOK_SECRET)
    with SmtpReceiver() as smtp, http:
        _smtp_port(notify_env, smtp.port)
        _setup(db_url, http)
        # Three requests received on Friday 2026-10-16: each has its receipt (登记回执) issued that day. One
        # is served and received, one posted with no date of receipt yet, one not served at all.
        cases = [_case(db_url, datetime(2026, 10, 16, 2 + n, tzinfo=UTC), "2026-10-16", handler=None)
                 for n in range(3)]
        (_, served_no), (posted, posted_no), (unserved, unserved_no) = cases
        with transaction(db_url, readonly=True) as session:
            letters = [session.exec(select(Letter.id, Letter.number).where(Letter.request_id == rid)).one()
                       for rid, _ in cases]
        receipts, numbers = [i for i, _ in letters], {rid: n for (rid, _), (_, n) in zip(cases, letters, strict=True)}
        _step(db_url, "clerk", delivery.record, "2026-10-19", letter_id=receipts[0],
              data={"method": "direct", "sent_on": "2026-10-16", "received_on": "2026-10-16"})
        _step(db_url, "clerk", delivery.record, "2026-10-19", letter_id=receipts[1],
              data={"method": "post", "sent_on": "2026-10-19", "ems_number": "EA123456785CN"})
        # Two working days later (Mon 10/19, Tue 10/20) nobody is told yet; on the third (Wed 10/21) the
        # clerk is, of the two receipts not yet received; the days after, nobody again.
        for day in ("2026-10-20", "2026-10-21", "2026-10-22", "2026-10-23"):
            _sweep(db_url, date.fromisoformat(day), _at(day))
            deliver_all()
            if day == "2026-10-20":
                assert smtp.messages == [] and http.hits == []
        mail = _mail(smtp)
        assert mail[PEOPLE["handler"]] == mail[PEOPLE["approver"]] == mail[PEOPLE["reviewer"]] == []
        notices = {m.split("\n")[0]: m for m in mail[PEOPLE["clerk"]]}
        assert sorted(notices) == sorted(f"【送达日期未登记】{n} 《政府信息公开申请登记回执》{numbers[rid]}"
                                         for rid, n in ((posted, posted_no), (unserved, unserved_no)))
        unserved_mail, posted_mail = (next(m for k, m in notices.items() if n in k) for n in (unserved_no, posted_no))
        assert "于2026年10月16日印发，已过 3 个工作日，仍未登记送达。" in unserved_mail
        assert f"{LINK}/requests/{unserved}" in unserved_mail and served_no not in unserved_mail
        assert "已过 3 个工作日，已于2026年10月19日邮寄，仍未登记送达日期（对方收到之日）" in posted_mail
        assert f"{LINK}/requests/{posted}" in posted_mail
        assert len(http.ok("/dingtalk")) == 2 and all(h.signature_ok for h in http.ok("/dingtalk"))
        hooks = {h.body["data"]["number"]: h.body for h in http.ok("/hook")}
        assert sorted(hooks) == sorted([posted_no, unserved_no])
        assert {h["kind"] for h in hooks.values()} == {"service_missing"}
        assert hooks[unserved_no]["data"]["issued_on"] == "2026-10-16"
        assert hooks[unserved_no]["data"]["working_days"] == 3


def test_without_legal_review_a_submitted_draft_goes_to_the_approver_to_sign(world, db_url, notify_env) -> None:  # noqa: F811
    from service.db import transaction
    from service.drafts import service as drafts
    from service.notify.service import add_target
    from service.notify.worker import deliver_all
    from service.users.service import add_user

    people = {"env_handler": "wang@example.gov.cn", "env_approver": "chief@example.gov.cn",
              "env_clerk": "qian@example.gov.cn"}
    with SmtpReceiver() as smtp:
        _smtp_port(notify_env, smtp.port)
        with transaction(db_url) as session:
            add_user(session=session, username="env_handler", password="correct horse", role="handler",
                     agency_code="env")
        with transaction(db_url) as session:
            for username, address in people.items():
                add_target(session=session, kind="email", address=address, user_id=_user(session, username)[0].id)
        rid, number = _case(db_url, datetime(2026, 10, 12, 2, tzinfo=UTC), "2026-10-12", handler=None,
                            clerk="env_clerk")
        did = _step(db_url, "env_handler", drafts.create, "2026-10-14", request_id=rid,
                    data={"action": "reply", "params": {"decision": "disclose", "disclosure": "可至本机关查阅"}})
        _step(db_url, "env_handler", drafts.submit, "2026-10-14", draft_id=did)
        _step(db_url, "env_approver", drafts.sign, "2026-10-15", draft_id=did, data={"seal_confirmed": True})
        # Default preferences: a daily digest at 08:00 local (long past by now) listing each notice's subject.
        assert deliver_all()["sent"] == 3
        got = {m["To"]: m.get_body(("plain",)).get_content() for m in smtp.messages}
    assert sorted(got) == sorted(people.values())
    assert f"【文稿待签发】{number} 答复（第 1 稿）" in got["chief@example.gov.cn"]
    for address in ("wang@example.gov.cn", "qian@example.gov.cn"):
        assert f"【文稿已签发】{number} 《政府信息公开申请答复书》常环依申复〔2026〕1号" in got[address]


def test_quiet_hours_hold_a_persons_notice_until_they_end(world, db_url, notify_env) -> None:  # noqa: F811
    from service.db import transaction
    from service.notify.service import add_target, set_preference
    from service.notify.worker import deliver_all, deliver_batch

    with SmtpReceiver() as smtp:
        _smtp_port(notify_env, smtp.port)
        with transaction(db_url) as session:
            for username, address in (("handler", PEOPLE["handler"]), ("approver", PEOPLE["approver"])):
                add_target(session=session, kind="email", address=address, user_id=_user(session, username)[0].id)
            set_preference(session=session, user_id=_user(session, "handler")[0].id, channels=["email"],
                           mode="immediate", quiet_start="22:00", quiet_end="07:00")
        _, number = _case(db_url, datetime(2026, 9, 1, 2, tzinfo=UTC), "2026-09-02")  # due 2026-09-29
        assert deliver_all()["sent"] == 1  # the 分办 of 2026-09-02, 10:00: outside quiet hours
        # The sweep finds the case overdue at 23:00 Beijing time: the approver hears at once, the handler
        # (quiet from 22:00 to 07:00) at 07:00 the next morning.
        _sweep(db_url, date(2026, 10, 20), datetime(2026, 10, 20, 15, 0, tzinfo=UTC))
        assert deliver_batch(now=datetime(2026, 10, 20, 15, 1, tzinfo=UTC))["sent"] == 1
        assert deliver_batch(now=datetime(2026, 10, 20, 22, 59, tzinfo=UTC))["claimed"] == 0
        assert deliver_batch(now=datetime(2026, 10, 20, 23, 0, 30, tzinfo=UTC))["sent"] == 1
        overdue = [(m["To"], m["Subject"]) for m in smtp.messages if m["Subject"].startswith("【超期】")]
    assert overdue == [(PEOPLE["approver"], f"【超期】{number} 答复期限2026年9月29日已过（已逾期 11 个工作日）"),
                       (PEOPLE["handler"], f"【超期】{number} 答复期限2026年9月29日已过（已逾期 11 个工作日）")]
