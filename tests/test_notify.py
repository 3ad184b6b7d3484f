"""Notifications end to end against real local receivers: an SMTP server (aiosmtpd) that receives the
mail, and an HTTP server playing 企业微信 and 钉钉 robots (checking 钉钉's signature) and a signed OA
webhook. Retries, back-off, digests, bad targets (422), and a worker killed with SIGKILL mid-delivery."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from tests.conftest import auth
from tests.notify_receivers import HttpReceiver, SmtpReceiver, free_port, self_signed_cert

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
DING_SECRET = "SEC" + "0123456789abcdef" * 4
HOOK_SECRET = "oa-shared-secret-0123"
LINK = "http://desk.example.gov.cn"


@pytest.fixture
def notify_env(db_url, monkeypatch):  # type: ignore[no-untyped-def]
    """Settings for tests: links to LINK, short back-off, mail to a local port set by each test."""
    from service.settings import get_settings

    monkeypatch.setenv("OGI_PUBLIC_URL", LINK)
    monkeypatch.setenv("OGI_SMTP_SECURITY", "none")
    monkeypatch.setenv("OGI_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("OGI_NOTIFY_RETRY_BASE_SECONDS", "10")
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def _smtp_port(mp, port: int) -> None:  # type: ignore[no-untyped-def]
    from service.settings import get_settings

    mp.setenv("OGI_SMTP_PORT", str(port))
    get_settings.cache_clear()


def _user(session, username: str):  # type: ignore[no-untyped-def]
    from service.users.models import User
    from service.users.service import visible_agency_ids

    user = session.exec(select(User).where(User.username == username)).one()
    return user, visible_agency_ids(session=session, user=user)


def _case(db_url: str, arrival: datetime, accept_on: str, handler: str | None = "handler", *,
          clerk: str = "clerk") -> tuple[int, str]:
    """Register and accept a request (by ``clerk``, in that clerk's unit); assign it to ``handler`` (by the
    approver, as 分办 does)."""
    from service.db import transaction
    from service.requests import worklist
    from service.requests.service import act, register

    data = {"applicant": {"kind": "natural_person", "name": "李四", "id_type": "resident_id",
                          "id_number": "11010519491231002X", "phone": "13900000000"},
            "channel": "in_person", "arrival_at": arrival, "description": "申请公开某文件", "attachments": []}
    at = datetime.fromisoformat(accept_on + "T02:00:00+00:00")
    with transaction(db_url) as session:
        registrar, visible = _user(session, clerk)
        record, _ = register(session=session, user=registrar, visible=visible, data=data, now=at)
        act(session=session, user=registrar, visible=visible, request_id=record.id, payload={"action": "accept", "on": accept_on},
            now=at)
        if handler:
            boss, seen = _user(session, "approver")
            person, _ = _user(session, handler)
            worklist.assign(session=session, user=boss, visible=seen, request_ids=[record.id], handler_id=person.id,
                            now=at)
        return record.id, record.number  # type: ignore[return-value]


def _targets(db_url: str, http: HttpReceiver | None, *, emails: dict[str, str] | None = None,
             immediate: tuple[str, ...] = ()) -> None:
    from service.db import transaction
    from service.notify.service import add_target, set_preference

    with transaction(db_url) as session:
        for username, address in (emails or {}).items():
            user, _ = _user(session, username)
            add_target(session=session, kind="email", address=address, user_id=user.id)
            if username in immediate:
                set_preference(session=session, user_id=user.id, channels=["email"], mode="immediate",
                               quiet_start=None, quiet_end=None)
        if http is not None:
            housing = _user(session, "approver")[0].agency_id
            add_target(session=session, kind="wecom", address=http.url("/wecom"), name="办公室群", agency_id=housing)
            add_target(session=session, kind="dingtalk", address=http.url("/dingtalk?access_token=t"),
                       secret=DING_SECRET, agency_id=housing)
            add_target(session=session, kind="webhook", address=http.url("/hook"), secret=HOOK_SECRET,
                       agency_id=housing)


def _sweep(db_url: str, day: date, now: datetime):  # type: ignore[no-untyped-def]
    from service.db import transaction
    from service.requests.sweep import run_sweep

    with transaction(db_url) as session:
        return run_sweep(session=session, as_of=day, now=now)


def _outbox(db_url: str) -> list:
    from service.db import transaction
    from service.notify.models import OutboxItem

    with transaction(db_url, readonly=True) as session:
        return list(session.exec(select(OutboxItem).order_by(OutboxItem.id)))


def test_reminders_reach_mail_and_robots_once(world, db_url, notify_env) -> None:
    from service.notify.worker import deliver_all

    http = HttpReceiver(dingtalk_secret=DING_SECRET, webhook_secret=HOOK_SECRET)
    with SmtpReceiver() as smtp, http:
        _smtp_port(notify_env, smtp.port)
        _targets(db_url, http, emails={"handler": "zhang@example.gov.cn", "approver": "boss@example.gov.cn"},
                 immediate=("handler",))
        # Due 2026-10-26: on 10/20 four working days are left (10/21–10/23, 10/26) → the 5-day reminder.
        soon, soon_no = _case(db_url, datetime(2026, 9, 21, 2, tzinfo=UTC), "2026-09-22")
        # Due 2026-09-29: overdue on 10/20.
        late, late_no = _case(db_url, datetime(2026, 9, 1, 2, tzinfo=UTC), "2026-09-02")
        report = _sweep(db_url, date(2026, 10, 20), NOW)
        assert (report.due_soon, report.overdue) == (1, 1)
        counts = deliver_all()
        assert counts["sent"] == len(_outbox(db_url)) and counts["retry"] == 0

        mails = {m["To"]: [] for m in smtp.messages}
        for m in smtp.messages:
            mails[m["To"]].append(f"{m['Subject']}\n{m.get_body(('plain',)).get_content()}")
        handler_mail = "\n\n".join(mails["zhang@example.gov.cn"])
        assert len(mails["zhang@example.gov.cn"]) == 4  # two hand-offs, one reminder, one overdue: at once
        assert f"【到期提醒】{soon_no} 将于2026年10月26日到期（剩余 4 个工作日）" in handler_mail
        assert f"{LINK}/requests/{soon}" in handler_mail
        assert f"【超期】{late_no} 答复期限2026年9月29日已过" in handler_mail
        assert f"【分办】{soon_no} 已分配给您办理" in handler_mail
        # The approver (daily digest) still hears of the overdue case at once, and of nothing else yet.
        assert len(mails["boss@example.gov.cn"]) == 1 and late_no in mails["boss@example.gov.cn"][0]

        # The unit's robots hear of every notice: two hand-offs, one reminder, one overdue, and the soon
        # case's registration receipt, issued 2026-09-21 with no service recorded (the late case's receipt,
        # of 2026-09-01, is older than the sweep's 30-day look-back).
        for path in ("/wecom", "/dingtalk", "/hook"):
            assert len(http.ok(path)) == 5, path
        assert all(h.signature_ok for h in http.ok("/dingtalk"))
        assert all(h.signature_ok for h in http.ok("/hook"))
        wecom = "\n".join(h.body["markdown"]["content"] for h in http.ok("/wecom"))
        assert f"{soon_no} 将于2026年10月26日到期" in wecom and f"{LINK}/requests/{late}" in wecom
        unserved = [h.body["markdown"]["content"] for h in http.ok("/wecom") if h.body["markdown"]["content"]
                    .startswith("**【送达日期未登记】")]
        assert len(unserved) == 1 and soon_no in unserved[0], unserved
        hook = [h.body for h in http.ok("/hook") if h.body["kind"] == "reminder"][0]
        assert hook["data"] == {"number": soon_no, "due_on": "2026-10-26", "days_left": 4, "threshold": 5}

        # The same day swept again, and delivered again: nobody hears anything twice.
        again = _sweep(db_url, date(2026, 10, 20), NOW)
        assert again.notices_added == 0
        assert deliver_all()["claimed"] == 0
        assert len(smtp.messages) == 5 and len(http.hits) == 15


def test_digest_is_one_mail_per_person_at_the_digest_time(world, db_url, notify_env) -> None:
    from service.notify.worker import deliver_batch

    with SmtpReceiver() as smtp:
        _smtp_port(notify_env, smtp.port)
        _targets(db_url, None, emails={"handler": "zhang@example.gov.cn"})
        _, a = _case(db_url, datetime(2026, 9, 21, 2, tzinfo=UTC), "2026-09-22")
        _, b = _case(db_url, datetime(2026, 9, 21, 3, tzinfo=UTC), "2026-09-22")
        # The two hand-offs of 2026-09-22 went into the next morning's digest: one mail.
        assert deliver_batch(now=NOW)["sent"] == 2
        assert len(smtp.messages) == 1 and "待办提醒（2 件）" in smtp.texts()[0]
        _sweep(db_url, date(2026, 10, 20), NOW)
        # Before 08:00 Beijing time on the next day nothing goes out; then one mail lists both reminders.
        assert deliver_batch(now=NOW + timedelta(hours=1))["claimed"] == 0
        assert deliver_batch(now=datetime(2026, 10, 21, 0, 1, tzinfo=UTC))["sent"] == 2
        assert len(smtp.messages) == 2
        text = smtp.texts()[1]
        assert "待办提醒（2 件）" in text and a in text and b in text and "剩余 4 个工作日" in text


def test_a_receiver_failing_twice_gets_it_on_the_third_try_with_backoff(world, db_url, notify_env) -> None:
    from service.db import transaction
    from service.notify.models import DeliveryAttempt
    from service.notify.worker import deliver_batch

    http = HttpReceiver(webhook_secret=HOOK_SECRET, fail={"/hook": 2})
    with http:
        from service.notify.service import add_target

        with transaction(db_url) as session:
            add_target(session=session, kind="webhook", address=http.url("/hook"), secret=HOOK_SECRET,
                       agency_id=world.agencies["housing"])
        _case(db_url, datetime(2026, 9, 21, 2, tzinfo=UTC), "2026-09-22", handler="handler")
        assert deliver_batch()["retry"] == 1
        first = _outbox(db_url)[0]
        assert first.status == "pending" and "HTTP 500" in first.last_error
        assert deliver_batch()["claimed"] == 0  # backing off (10 s)
        assert deliver_batch(now=datetime.now(UTC) + timedelta(seconds=11))["retry"] == 1
        second = _outbox(db_url)[0]
        assert deliver_batch(now=datetime.now(UTC) + timedelta(seconds=25))["claimed"] == 0
        assert deliver_batch(now=datetime.now(UTC) + timedelta(seconds=33))["sent"] == 1
        done = _outbox(db_url)[0]
        assert (done.status, done.attempts, done.last_error) == ("sent", 3, None)
        keys = {h.headers["idempotency-key"] for h in http.hits}
        assert len(http.hits) == 3 and keys == {done.key}
        assert [h.answered for h in http.hits] == [500, 500, 200]
        with transaction(db_url, readonly=True) as session:
            log = list(session.exec(select(DeliveryAttempt).order_by(DeliveryAttempt.id)))
        assert [a.ok for a in log] == [False, False, True]
        # Exponential back-off: 10 s after the first failure, 20 s after the second.
        waits = [(o.next_attempt_at - a.at).total_seconds() for o, a in ((first, log[0]), (second, log[1]))]
        assert [round(w) for w in waits] == [10, 20]


def test_unreachable_mail_server_never_blocks_and_is_logged(client, world, db_url, notify_env) -> None:
    from service.notify.worker import deliver_batch
    from tests.test_web import login

    _smtp_port(notify_env, free_port())  # nobody listens there
    _targets(db_url, None, emails={"handler": "zhang@example.gov.cn"}, immediate=("handler",))
    rid, number = _case(db_url, datetime(2026, 9, 21, 2, tzinfo=UTC), "2026-09-22", handler=None)
    # The approver assigns through the API and the desk while the mail server is down: both answer at once.
    login(client, "approver")
    page = client.get("/")
    assert page.status_code == 200 and number in page.text
    from tests.test_web import csrf_of

    r = client.post("/worklist/batch", data={"csrf_token": csrf_of(page.text), "batch": "assign",
                                             "handler": str(_handler_id(db_url)), "ids": [str(rid)]},
                    follow_redirects=True)
    assert r.status_code == 200 and "已分办 1 件" in r.text
    counts = deliver_batch()
    assert counts["retry"] == 1
    item = _outbox(db_url)[0]
    assert item.status == "pending" and "Connection" in (item.last_error or "")
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
    login(client, "admin")
    log = client.get("/admin/notify")
    assert log.status_code == 200 and "待发送" in log.text and "Connection" in log.text and number in log.text


def _handler_id(db_url: str) -> int:
    from service.db import transaction

    with transaction(db_url, readonly=True) as session:
        return _user(session, "handler")[0].id


def test_bad_targets_are_refused_with_422(client, world) -> None:
    bad = [
        ({"kind": "wecom", "address": "ftp://robot.example/send"}, "address"),
        ({"kind": "webhook", "address": "javascript:alert(1)", "secret": HOOK_SECRET}, "address"),
        ({"kind": "dingtalk", "address": "https://robot.example/robot/send?access_token=x", "secret": "abc"}, "secret"),
        ({"kind": "dingtalk", "address": "https://robot.example/robot/send?access_token=x",
          "secret": "SEC" + "g" * 64}, "secret"),
        ({"kind": "webhook", "address": "https://oa.example/hook", "secret": "short"}, "secret"),
        ({"kind": "email", "address": "not-an-address", "scope": "me"}, "address"),
    ]
    for body, name in bad:
        r = client.post("/api/v1/notify/targets", json=body, headers=auth(world, "approver"))
        assert r.status_code == 422, (body, r.text)
        assert r.json()["detail"][0]["loc"][-1] == name
    ok = client.post("/api/v1/notify/targets", json={"kind": "dingtalk", "secret": DING_SECRET,
                                                     "address": "https://robot.example/robot/send?access_token=x"},
                     headers=auth(world, "approver"))
    assert ok.status_code == 201 and ok.json()["signed"] is True and "secret" not in ok.json()
    # A clerk may add their own address, not the unit's robots.
    r = client.post("/api/v1/notify/targets", json={"kind": "wecom", "address": "https://robot.example/x"},
                    headers=auth(world, "clerk"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "scope"
    r = client.put("/api/v1/notify/preferences", json={"channels": ["sms"], "mode": "digest"},
                   headers=auth(world, "clerk"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "channels"
    r = client.put("/api/v1/notify/preferences", json={"channels": ["email"], "quiet_start": "25:00",
                                                       "quiet_end": "07:00"}, headers=auth(world, "clerk"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "quiet_start"
    assert client.get("/api/v1/notify/deliveries", headers=auth(world, "clerk")).status_code == 403


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_mail_over_starttls_and_ssl(tmp_path, security) -> None:
    from service.notify.mail import send_mail
    from service.settings import Settings

    cert = self_signed_cert(tmp_path)
    with SmtpReceiver(security, cert) as smtp:
        settings = Settings(smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security=security,
                            smtp_ca_file=str(cert[0]), smtp_from="ogi@example.gov.cn")
        send_mail(to=["li@example.gov.cn"], subject="答复书", body="请查收。", settings=settings)
    assert [t.replace("\r\n", "\n") for t in smtp.texts()] == ["答复书\n请查收。\n"]


def _worker(db_url: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "service.cli", "worker", *args], cwd=ROOT,
                            env={**os.environ, "OGI_DATABASE_URL": db_url, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_worker_killed_mid_delivery_loses_nothing(world, db_url, notify_env) -> None:
    from service.db import transaction
    from service.notify.models import DeliveryAttempt
    from service.notify.service import add_target

    http = HttpReceiver(webhook_secret=HOOK_SECRET, hang={"/hook": 4})
    with http:
        with transaction(db_url) as session:
            add_target(session=session, kind="webhook", address=http.url("/hook"), secret=HOOK_SECRET,
                       agency_id=world.agencies["housing"])
        for n in range(3):  # committed: three hand-offs in the outbox
            _case(db_url, datetime(2026, 9, 21, 2 + n, tzinfo=UTC), "2026-09-22")
        keys = {o.key for o in _outbox(db_url)}
        env = {"OGI_NOTIFY_CLAIM_SECONDS": "2", "OGI_WORKER_TICK_SECONDS": "0.2", "OGI_NOTIFY_HTTP_TIMEOUT": "30"}
        first = _worker(db_url, "--no-sweep", env=env)
        deadline = time.monotonic() + 60
        while len(http.arrived) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(http.arrived) == 3, first.stderr.read() if first.poll() is not None else "no delivery arrived"
        os.kill(first.pid, signal.SIGKILL)  # between the receiver taking it and the database recording it
        first.wait()
        assert {o.status for o in _outbox(db_url)} == {"sending"}
        http.hang = {}
        time.sleep(2.2)  # the dead worker's claims run out
        second = _worker(db_url, "--once", "--no-sweep", env=env)
        out, err = second.communicate(timeout=60)
        assert second.returncode == 0, err
        assert json.loads(out.strip().splitlines()[-1])["delivered"]["sent"] == 3
    done = _outbox(db_url)
    assert {o.status for o in done} == {"sent"} and all(o.attempts == 2 for o in done)
    # Every notice arrived; the ones interrupted came twice with the same Idempotency-Key (the receiver drops one).
    assert {h.headers["idempotency-key"] for h in http.hits if h.answered == 200} == keys
    with transaction(db_url, readonly=True) as session:
        oks = session.exec(select(func.count()).select_from(DeliveryAttempt).where(DeliveryAttempt.ok)).one()
    assert oks == 3


def test_two_workers_run_each_days_sweep_once(world, db_url) -> None:
    from service.db import transaction
    from service.notify.models import SweepRun
    from service.requests.models import Reminder

    for n in range(3):  # overdue by now
        _case(db_url, datetime(2026, 9, 1, 2 + n, tzinfo=UTC), "2026-09-02")
    env = {"OGI_SWEEP_TIME": "00:00"}
    workers = [_worker(db_url, "--once", env=env) for _ in range(2)]
    results = []
    for w in workers:
        out, err = w.communicate(timeout=120)
        assert w.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    ran = [(s["agency"], r["holder"]) for r in results for s in r["sweeps"] if s["ran"]]
    # Each of the three units swept exactly once, by one of the two processes.
    assert sorted(a for a, _ in ran) == ["city", "env", "housing"]
    with transaction(db_url, readonly=True) as session:
        runs = list(session.exec(select(SweepRun)))
        assert len(runs) == 3 and all(r.finished_at is not None for r in runs)
        assert session.exec(select(func.count()).select_from(Reminder)).one() == 3
