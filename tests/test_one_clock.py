"""One clock on every page: for every request of the demo data, the dashboard, the search list, the case
header, the clock panel, the CSV, the JSON of the request and of its clock, and the API list give the same
due date, the same working days left (or late) and the same words, for every state."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from sqlmodel import select

from tests.test_web import login

ROW = re.compile(r"<tr\b.*?</tr>", re.S)
NUMBER = re.compile(r'<a href="/requests/(\d+)">([^<]+)</a>')
LABEL = re.compile(r'clock-label">([^<]+)<')
DUE_CELL = re.compile(r'data-label="答复期限">([^<]*)<')


def _cn(iso: str | None) -> str:
    if not iso:
        return "—"
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{y}年{m}月{d}日"


def _rows(page: str) -> dict[int, tuple[str, str]]:
    """(due date text, clock words) of each case row of a list page."""
    out = {}
    for row in ROW.findall(page):
        num, label = NUMBER.search(row), LABEL.search(row)
        if not num or not label:
            continue
        due = DUE_CELL.search(row)
        if due is None:  # the search list: the due date and the words share a cell
            due_text = re.search(r'<td class="nowrap">([^<]*?)(?:（暂定）)?\s*<span class="badge[^"]*clock-label', row)
            due_str = due_text.group(1).strip() if due_text else ""
        else:
            due_str = due.group(1).strip()
        out[int(num.group(1))] = (html.unescape(due_str), html.unescape(label.group(1)))
    return out


def test_every_page_the_csv_and_the_api_show_the_same_clock(db_url, client) -> None:
    if "postgresql" in db_url:
        pytest.skip("the clock is computed from the events, the same way on both databases")
    from service.db import transaction
    from service.requests.demo import load_demo
    from service.requests.models import RequestRecord

    with transaction(db_url) as session:
        load_demo(session=session, requests=300)
    with transaction(db_url, readonly=True) as session:
        records = {r.id: r for r in session.exec(select(RequestRecord))}
    assert login(client, "city_assessor", "demo-password").status_code == 303

    sheet = {row["编号"]: row for row in csv.DictReader(io.StringIO(client.get("/search.csv").text.lstrip("\ufeff")))}
    listed: dict[int, tuple[str, str]] = {}
    page = 1
    while True:
        got = _rows(client.get(f"/search?page={page}").text)
        if not got:
            break
        listed.update(got)
        page += 1
    dashboard: dict[int, tuple[str, str]] = {}
    for f in ("", "today", "week", "overdue", "paused", "mine"):
        dashboard.update(_rows(client.get(f"/?filter={f}").text))
    api_list = {}
    for offset in range(0, len(records), 500):
        api_list.update({r["id"]: r for r in client.get(f"/api/v1/requests?limit=500&offset={offset}").json()})
    assert len(listed) == len(records) == len(sheet) == len(api_list)
    assert dashboard, "the dashboard lists open cases"

    states = set()
    for rid, record in records.items():
        api = client.get(f"/api/v1/requests/{rid}").json()["clock"]
        detail = client.get(f"/api/v1/requests/{rid}/clock").json()
        page_html = client.get(f"/requests/{rid}").text
        header = html.unescape(re.search(r'id="header-clock">([^<]+)<', page_html).group(1))  # type: ignore[union-attr]
        panel = html.unescape(re.search(r'id="clock-state"><span class="badge[^"]*">([^<]+)<', page_html).group(1))  # type: ignore[union-attr]
        due_panel = re.search(r'<dd id="due-on">(?:<strong>([^<（]+))?', page_html).group(1)  # type: ignore[union-attr]
        label, due, left = api["label"], api["due_on"], api["days_left"]
        states.add(api["state"])
        where = f"{record.number} ({record.status})"
        assert (detail["label"], detail["due_on"], detail["days_left"]) == (label, due, left), where
        assert header == panel == label, where
        assert (due_panel or None) == (_cn(due) if due else None), where
        row = sheet[record.number]
        assert (row["答复期限"] or None, row["剩余工作日"], row["期限情况"]) == (due, "" if left is None else str(left), label), where
        assert listed[rid] == (_cn(due), label), where
        assert (api_list[rid]["due_on"], api_list[rid]["days_left"], api_list[rid]["clock_label"]) == (due, left, label), where
        if rid in dashboard:
            assert dashboard[rid] == (_cn(due), label), where
        if api["state"] == "paused":
            # A pause with no end yet: no count, the words say so.
            assert left is None and "暂停计时" in label, where
    assert {"running", "overdue", "paused", "correction", "closed"} <= states
