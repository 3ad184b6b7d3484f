"""The 管理 (administration) pages through FastAPI's TestClient: hidden (404) from every other role,
scoped to the admin's unit (city) and the units below it (housing, env); units imported from a file
(all or nothing), users added, unlocked and given a token, a calendar installed with the open cases'
due dates recomputed, schemes assigned; CSRF refused; refusals in Chinese beside the field."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from freezegun import freeze_time

from tests.test_sweep_service import TEST_2027, _register
from tests.test_web import csrf_of, login, post_form

PAGES = ("/admin", "/admin/agencies", "/admin/users", "/admin/calendar", "/admin/schemes")

OTHER_TREE_TOML = """
[[agency]]
code = "wuxi"
name = "无锡市人民政府办公室"
letter_prefix = "锡政办依申"
reconsideration_body = "江苏省人民政府"
court = "无锡市中级人民法院"
contact = "0510-80000000"
"""

WATER_TOML = """
[[agency]]
code = "water"
name = "常熟市水务局"
parent = "city"
letter_prefix = "常水依申"
reconsideration_body = "常熟市人民政府"
court = "常熟市人民法院"
contact = "0512-52000003"
"""


def field_text(html: str, name: str) -> str:
    """The label block of form field ``name`` (its error message is inside it)."""
    found = re.search(rf'id="field-{re.escape(name)}".*?</label>', html, re.S)
    assert found, f"no field {name} on the page"
    return found.group(0)


def upload(client, url: str, page_url: str, filename: str, text: str | bytes, *,  # type: ignore[no-untyped-def]
           token: bool = True):
    """Post ``text`` as the form's ``file`` (with the CSRF token of ``page_url`` unless ``token`` is off)."""
    data = {"csrf_token": csrf_of(client.get(page_url).text)} if token else {}
    body = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(url, data=data, files={"file": (filename, body, "application/toml")}, follow_redirects=False)


def add_other_tree(db_url: str, tmp_path: Path) -> None:
    """A unit in another city: no admin of 常熟 may see or change it."""
    from service.agencies.service import import_file
    from service.db import transaction

    path = tmp_path / "wuxi.toml"
    path.write_text(OTHER_TREE_TOML, encoding="utf-8")
    with transaction(db_url) as session:
        import_file(session=session, path=path)


def agency_row(db_url: str, code: str):  # type: ignore[no-untyped-def]
    from service.agencies.repository import by_code
    from service.db import transaction

    with transaction(db_url, readonly=True) as session:
        return by_code(session=session, code=code)


@pytest.mark.parametrize("username", ["clerk", "handler", "approver", "assessor"])
def test_admin_pages_are_404_for_every_other_role(client, world, username: str) -> None:
    login(client, username)
    home = client.get("/")
    assert 'href="/admin"' not in home.text
    for url in PAGES:
        r = client.get(url, follow_redirects=False)
        assert r.status_code == 404, url
        assert "未找到" in r.text
    token = csrf_of(home.text)
    r = client.post("/admin/users", data={"csrf_token": token, "username": "mallory", "password": "12345678",
                                          "role": "admin", "agency": "city"}, follow_redirects=False)
    assert r.status_code == 404
    r = client.post("/admin/users/clerk/token", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 404 and "接口令牌" not in r.text


def test_admin_sees_the_nav_link_and_every_page(client, world) -> None:
    login(client, "admin")
    assert 'href="/admin"' in client.get("/").text
    assert client.get("/admin", follow_redirects=False).headers["location"] == "/admin/agencies"
    for url in PAGES[1:]:
        r = client.get(url)
        assert r.status_code == 200, url
        assert 'aria-current="page">管理' in r.text


def test_units_are_those_of_the_admins_tree(client, world, db_url, tmp_path) -> None:
    add_other_tree(db_url, tmp_path)
    login(client, "admin")
    page = client.get("/admin/agencies").text
    table = re.search(r'<table id="units">.*?</table>', page, re.S).group(0)  # type: ignore[union-attr]
    for text in ("常熟市人民政府办公室", "常熟市住房和城乡建设局", "常熟市生态环境局", "常住建依申", "苏州市姑苏区人民法院",
                 "0512-52000002"):
        assert text in table
    assert "无锡" not in page


def test_agency_import_creates_then_updates(client, world, db_url) -> None:
    login(client, "admin")
    r = upload(client, "/admin/agencies/import", "/admin/agencies", "water.toml", WATER_TOML)
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert "新增 1 个单位，更新 0 个单位" in page and "常熟市水务局" in page
    r = upload(client, "/admin/agencies/import", "/admin/agencies", "water.yaml",
               "agencies:\n  - {code: water, name: 常熟市水务局, parent: city, letter_prefix: 常水依申,"
               " reconsideration_body: 常熟市人民政府, court: 常熟市人民法院, contact: 0512-52009999}\n")
    assert r.status_code == 303
    assert "新增 0 个单位，更新 1 个单位" in client.get(r.headers["location"]).text
    assert agency_row(db_url, "water").contact == "0512-52009999"


def test_agency_import_warns_about_a_reconsideration_body_that_does_not_fit(client, world, db_url) -> None:
    login(client, "admin")
    # Since 2024 a county department's reconsideration body is the county government, not the
    # department above it: imported all the same (a person settles the name), and said on the page.
    r = upload(client, "/admin/agencies/import", "/admin/agencies", "water.toml",
               WATER_TOML.replace('reconsideration_body = "常熟市人民政府"', 'reconsideration_body = "苏州市水务局"'))
    assert r.status_code == 200
    assert "新增 1 个单位" in r.text
    warnings = re.search(r'id="import-warnings".*?</section>', r.text, re.S).group(0)  # type: ignore[union-attr]
    assert "请核对" in warnings and "water: wrong reconsideration body" in warnings
    assert agency_row(db_url, "water").reconsideration_body == "苏州市水务局"


def test_agency_import_refuses_bad_files_whole_and_in_chinese(client, world, db_url, tmp_path) -> None:
    add_other_tree(db_url, tmp_path)
    login(client, "admin")
    # The second unit lacks its letter prefix: the first is not created either.
    bad = WATER_TOML + WATER_TOML.replace('"water"', '"parks"').replace('letter_prefix = "常水依申"\n', "")
    r = upload(client, "/admin/agencies/import", "/admin/agencies", "units.toml", bad)
    assert r.status_code == 422
    assert "第2个单位（parks）的“文号前缀”：必填" in field_text(r.text, "file")
    assert agency_row(db_url, "water") is None
    r = upload(client, "/admin/agencies/import", "/admin/agencies", "units.toml", "[[agency]\ncode = 1")
    assert r.status_code == 422 and "不是有效的 TOML 格式" in field_text(r.text, "file")
    r = upload(client, "/admin/agencies/import", "/admin/agencies", "units.txt", WATER_TOML)
    assert r.status_code == 422 and "请上传 .toml / .yaml / .yml 文件" in field_text(r.text, "file")
    r = client.post("/admin/agencies/import", data={"csrf_token": csrf_of(client.get("/admin/agencies").text)},
                    follow_redirects=False)
    assert r.status_code == 422 and "必填" in field_text(r.text, "file")
    # Outside the admin's tree: another city's unit is not changed, nor is a new unit hung below it.
    r = upload(client, "/admin/agencies/import", "/admin/agencies", "wuxi.toml",
               OTHER_TREE_TOML.replace("0510-80000000", "changed") + WATER_TOML)
    assert r.status_code == 422 and "单位 wuxi：不是您管理的单位" in field_text(r.text, "file")
    assert agency_row(db_url, "wuxi").contact == "0510-80000000"
    assert agency_row(db_url, "water") is None
    r = upload(client, "/admin/agencies/import", "/admin/agencies", "water.toml",
               WATER_TOML.replace('parent = "city"', 'parent = "wuxi"'))
    assert r.status_code == 422 and "新单位只能设在您管理的单位之下" in field_text(r.text, "file")
    assert agency_row(db_url, "water") is None
    # Nor may the admin move their own unit under another office.
    city = agency_row(db_url, "city")
    moved = (f'[[agency]]\ncode = "city"\nname = "{city.name}"\nparent = "wuxi"\nletter_prefix = "{city.letter_prefix}"\n'
             f'reconsideration_body = "{city.reconsideration_body}"\ncourt = "{city.court}"\ncontact = "{city.contact}"\n')
    r = upload(client, "/admin/agencies/import", "/admin/agencies", "city.toml", moved)
    assert r.status_code == 422 and "不能更改本单位的上级单位" in field_text(r.text, "file")
    assert agency_row(db_url, "city").parent_id is None


def test_add_user_then_log_in(client, world) -> None:
    login(client, "admin")
    r = post_form(client, "/admin/users", {"username": "zhao", "display_name": "赵六", "role": "handler",
                                           "agency": "env", "password": "long enough"}, page_url="/admin/users")
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    row = re.search(r'<tr id="user-zhao">.*?</tr>', page, re.S).group(0)  # type: ignore[union-attr]
    assert "赵六" in row and "承办人" in row and "常熟市生态环境局" in row and "正常" in row
    client.cookies.clear()
    assert login(client, "zhao", "long enough").status_code == 303


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"password": "short"}, "password", "至少8个字符"),
    ({"username": "clerk"}, "username", "该用户名已被使用"),
    ({"username": ""}, "username", "必填"),
    ({"role": "superuser"}, "role", "请从列表中选择"),
    ({"agency": "wuxi"}, "agency", "不是您管理的单位"),
])
def test_add_user_refusals_are_beside_the_field(client, world, db_url, tmp_path, changes, field, message) -> None:
    add_other_tree(db_url, tmp_path)
    login(client, "admin")
    data = {"username": "zhao", "role": "clerk", "agency": "housing", "password": "long enough", **changes}
    r = post_form(client, "/admin/users", data, page_url="/admin/users")
    assert r.status_code == 422
    assert message in field_text(r.text, field)
    assert 'id="user-zhao"' not in r.text


def test_users_list_is_scoped(client, world, db_url) -> None:
    from service.db import transaction
    from service.users.service import add_user

    # An admin of env sees env's users only, and cannot act on housing's.
    with transaction(db_url) as session:
        add_user(session=session, username="env_admin", password="correct horse", role="admin", agency_code="env")
    login(client, "env_admin")
    page = client.get("/admin/users").text
    assert 'id="user-env_clerk"' in page and 'id="user-clerk"' not in page and 'id="user-admin"' not in page
    r = post_form(client, "/admin/users/clerk/token", {}, page_url="/admin/users")
    assert r.status_code == 422 and "没有这个用户" in r.text and "只显示这一次" not in r.text


def test_unlock_a_locked_account(client, world, db_url) -> None:
    from service.db import transaction
    from service.settings import get_settings
    from service.users.service import lock_state

    for _ in range(get_settings().login_max_failures):
        login(client, "clerk", "wrong password")
    assert "已被锁定" in login(client, "clerk").text
    with transaction(db_url, readonly=True) as session:
        assert lock_state(session=session, username="clerk") is not None
        assert lock_state(session=session, username="handler") is None
    client.cookies.clear()
    login(client, "admin")
    row = re.search(r'<tr id="user-clerk">.*?</tr>', client.get("/admin/users").text, re.S).group(0)  # type: ignore[union-attr]
    assert "已锁定" in row
    r = post_form(client, "/admin/users/clerk/unlock", {}, page_url="/admin/users")
    assert r.status_code == 303
    assert "已解除 clerk 的锁定" in client.get(r.headers["location"]).text
    with transaction(db_url, readonly=True) as session:
        assert lock_state(session=session, username="clerk") is None
    client.cookies.clear()
    assert login(client, "clerk").status_code == 303


def test_token_is_shown_once_and_works(client, world) -> None:
    login(client, "admin")
    r = post_form(client, "/admin/users/env_clerk/token", {"name": "接口对接"}, page_url="/admin/users")
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    assert "只显示这一次" in r.text
    token = re.search(r'<code class="token">([^<]+)</code>', r.text).group(1)  # type: ignore[union-attr]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["username"] == "env_clerk"
    assert token not in client.get("/admin/users").text


def test_posts_without_csrf_token_are_refused(client, world, db_url) -> None:
    login(client, "admin")
    for url, data in [("/admin/users", {"username": "zhao", "role": "clerk", "agency": "housing",
                                        "password": "long enough"}),
                      ("/admin/users/clerk/unlock", {}), ("/admin/users/clerk/token", {}),
                      ("/admin/schemes/assign", {"scheme": "changshu-2020", "office": "city"})]:
        r = client.post(url, data=data, follow_redirects=False)
        assert r.status_code == 403 and "安全令牌" in r.text, url
    r = upload(client, "/admin/agencies/import", "/admin/agencies", "water.toml", WATER_TOML, token=False)
    assert r.status_code == 403
    r = upload(client, "/admin/calendar/import", "/admin/calendar", "2027.toml", TEST_2027, token=False)
    assert r.status_code == 403
    assert agency_row(db_url, "water") is None
    assert 'id="user-zhao"' not in client.get("/admin/users").text
    assert "尚未分配" in client.get("/admin/schemes").text


def test_calendar_upload_recomputes_open_due_dates(client, world, db_url) -> None:
    from service.db import transaction
    from service.requests.models import RequestRecord

    with freeze_time("2026-12-22 02:00:00", tick=True):
        # Received 2026-12-21: 20 working days reach into 2027, estimated (1/1 off only) → 1/19, provisional.
        rid = _register(db_url, datetime(2026, 12, 21, 2, tzinfo=UTC), "2026-12-22")
        with transaction(db_url, readonly=True) as session:
            record = session.get(RequestRecord, rid)
            assert (record.due_on, record.provisional) == (date(2027, 1, 19), True)
        login(client, "admin")
        # A bad file first: refused beside the field, nothing installed, nothing recomputed.
        r = upload(client, "/admin/calendar/import", "/admin/calendar", "2027.toml", TEST_2027.replace("2027-01-05", "x"))
        assert r.status_code == 422
        assert "日历文件有误" in field_text(r.text, "file") and "/tmp" not in r.text
        r = upload(client, "/admin/calendar/import", "/admin/calendar", "2028.toml", TEST_2027)
        assert r.status_code == 422 and "2028" in field_text(r.text, "file")
        # The notice for 2027 (New Year 1/1–1/5 off): the due date moves two working days.
        r = upload(client, "/admin/calendar/import", "/admin/calendar", "2027.toml", TEST_2027)
        assert r.status_code == 303
        page = client.get(r.headers["location"]).text
        assert "已安装2027年全国日历；1 件办理中的申请答复期限已重新计算" in page
        assert 'href="/calendar?year=2027"' in page
        with transaction(db_url, readonly=True) as session:
            record = session.get(RequestRecord, rid)
            assert (record.due_on, record.provisional) == (date(2027, 1, 21), False)
        # The same file again changes nothing.
        r = upload(client, "/admin/calendar/import", "/admin/calendar", "2027.toml", TEST_2027)
        assert "未变化" in client.get(r.headers["location"]).text
        assert "放假" in client.get("/calendar?year=2027").text


def test_assign_a_scheme_to_an_office(client, world, db_url, tmp_path) -> None:
    add_other_tree(db_url, tmp_path)
    login(client, "admin")
    page = client.get("/admin/schemes").text
    assert "常熟市政务公开工作考核方案（2020年版）" in page
    r = post_form(client, "/admin/schemes/assign", {"scheme": "changshu-2020", "office": "city"},
                  page_url="/admin/schemes")
    assert r.status_code == 303
    row = re.search(r'<tr id="scheme-changshu-2020">.*?</tr>', client.get(r.headers["location"]).text,
                    re.S).group(0)  # type: ignore[union-attr]
    assert "常熟市人民政府办公室" in row and "尚未分配" not in row
    r = post_form(client, "/admin/schemes/assign", {"scheme": "changshu-2020", "office": "wuxi"},
                  page_url="/admin/schemes")
    assert r.status_code == 422 and "不是您管理的单位" in field_text(r.text, "office")
    r = post_form(client, "/admin/schemes/assign", {"scheme": "no-such-scheme", "office": "city"},
                  page_url="/admin/schemes")
    assert r.status_code == 422 and "没有这个考核方案" in field_text(r.text, "scheme")
