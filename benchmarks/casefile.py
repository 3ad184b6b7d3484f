"""Case-file benchmarks: the 卷宗 PDF of a 10-document case, and a year export of 1,000 archived cases.

* 10-document case file: two letters (receipt, reply) and eight attachments (four text PDFs, two JPEG
  scans, a PNG, and a DOCX that is listed but not merged), written to memory with
  ``service.archive.casefile.write_case_pdf``; repeated, median with min and max. Baseline in the same
  run: rendering the same two letters alone (``html_to_pdf``), the floor every case file pays.
* Year export: ``service.archive.export.export_year`` writes <档号>.pdf, <档号>.zip and 目录.csv for
  every archived case of a unit's year. Memory is sampled (resident set size) as the export goes, so the
  figures show whether it stays flat as the year grows. Baseline in the same run: the naive export that
  keeps each case's PDF in memory until the end (what building one archive in memory amounts to), over
  the first cases of the same year.

Usage: .venv/bin/python benchmarks/casefile.py [--cases 1000] [--repeat 5] [--baseline 200] [--png DIR]
(--png writes the cover and the 卷内目录 of the 10-document case file as PNG, e.g. docs/screenshots).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]

import argparse
import io
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

from benchmarks.common import machine

AGENCIES = """
[[agency]]
code = "bench"
name = "基准测试局"
letter_prefix = "基准依申"
reconsideration_body = "某市人民政府"
court = "某市人民法院"
contact = "基准测试局办公室，0000-00000000"
"""
BODY = {
    "applicant": {"kind": "natural_person", "name": "张三", "id_type": "resident_id",
                  "id_number": "11010519491231002X", "phone": "13900000000"},
    "channel": "in_person", "description": "申请公开某小区旧城改造项目的立项批复文件",
}


def rss_mb() -> float:
    """Resident set size of this process now, in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def text_pdf(title: str, pages: int) -> bytes:
    from service.letters.render import html_to_pdf

    body = "".join(f'<section style="page-break-after: always"><h1>{title}</h1><p>{title}，第{i + 1}页。'
                   + "政府信息公开申请材料样张。" * 40 + "</p></section>" for i in range(pages))
    return html_to_pdf(f'<html><body style="font-family: \'AR PL UMing CN\'">{body}</body></html>')


def jpeg(width: int, height: int, seed: int) -> bytes:
    from PIL import Image

    img = Image.effect_noise((width, height), 40 + seed).convert("RGB")
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=80)
    return buf.getvalue()


def png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (800, 600), (240, 240, 240)).save(buf, format="PNG")
    return buf.getvalue()


def docx() -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
        zf.writestr("docProps/app.xml", "<Properties><Pages>2</Pages></Properties>")
    return buf.getvalue()


def setup(tmp: Path) -> None:
    os.environ.update({"OGI_DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}", "OGI_STORAGE_DIR": str(tmp / "files"),
                       "OGI_CALENDAR_DIR": str(tmp / "calendars"), "OGI_SEAL_DIR": str(tmp / "seals")})
    from service.agencies.service import import_file
    from service.db import transaction, upgrade
    from service.settings import get_settings
    from service.users.service import add_user

    get_settings.cache_clear()
    upgrade()
    (tmp / "agencies.toml").write_text(AGENCIES, encoding="utf-8")
    with transaction() as session:
        import_file(session=session, path=tmp / "agencies.toml")
        for role in ("clerk", "handler", "approver"):
            add_user(session=session, username=f"bench_{role}", password="bench-password", role=role,
                     agency_code="bench")


def make_case(index: int, files: list[tuple[str, str, bytes]]) -> int:
    """A registered, accepted, replied and archived case of 2026 with ``files`` attached; its id."""
    from sqlmodel import select

    from service.db import transaction
    from service.files.service import attach_bytes
    from service.requests import service
    from service.users.models import User
    from service.users.service import visible_agency_ids

    received = date(2026, 1, 5) + timedelta(days=index % 300)
    at = datetime(received.year, received.month, received.day, 2, tzinfo=UTC)
    with transaction() as session:
        users = {u.role: u for u in session.exec(select(User))}
        visible = visible_agency_ids(session=session, user=users["clerk"])
        record, _ = service.register(session=session, user=users["clerk"], visible=visible,
                                     data={**BODY, "arrival_at": at}, now=at)
        rid = int(record.id)  # type: ignore[arg-type]
        service.act(session=session, user=users["handler"], visible=visible, request_id=rid,
                    payload={"action": "accept"}, now=at + timedelta(days=1))
        for kind, name, data in files:
            attach_bytes(session=session, user=users["clerk"], visible=visible, request_id=rid, kind=kind, data=data,
                         filename=name, now=at + timedelta(days=2))
        service.act(session=session, user=users["approver"], visible=visible, request_id=rid,
                    payload={"action": "reply", "decision": "disclose", "service_method": "post", "seal_confirmed": True,
                             "disclosure": "现将所申请信息随本答复书一并提供。"}, now=at + timedelta(days=10))
        service.act(session=session, user=users["handler"], visible=visible, request_id=rid,
                    payload={"action": "archive"}, now=at + timedelta(days=12))
    return rid


def bench_ten(repeat: int, png_dir: Path | None) -> dict:
    from service.archive.casefile import write_case_pdf
    from service.db import transaction
    from service.files.storage import get_store
    from service.letters import repository as letters
    from service.letters.render import html_to_pdf
    from service.requests.models import RequestRecord

    files = [("application", "申请书.pdf", text_pdf("政府信息公开申请表", 2)),
             ("identity", "身份证正面.jpg", jpeg(1600, 1000, 1)), ("identity", "身份证反面.jpg", jpeg(1600, 1000, 2)),
             ("correction", "补正材料.pdf", text_pdf("补正说明", 1)),
             ("third_party_opinion", "第三方意见.pdf", text_pdf("第三方书面意见", 2)),
             ("released", "立项批复.pdf", text_pdf("关于旧城改造项目立项的批复", 3)),
             ("service_proof", "送达回证.png", png()), ("other", "情况说明.docx", docx())]
    rid = make_case(0, files)
    times, floor = [], []
    with transaction(readonly=True) as session:
        record = session.get(RequestRecord, rid)
        htmls = [x.html for x in letters.for_request(session=session, request_id=rid)]
        for _ in range(repeat):
            t0 = time.perf_counter()
            for html in htmls:
                html_to_pdf(html)
            floor.append(time.perf_counter() - t0)
            out = io.BytesIO()
            t0 = time.perf_counter()
            docs = write_case_pdf(session=session, record=record, out=out, store=get_store(), today=date(2026, 11, 1))
            times.append(time.perf_counter() - t0)
    pdf = out.getvalue()
    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    if png_dir is not None and shutil.which("pdftoppm"):
        png_dir.mkdir(parents=True, exist_ok=True)
        for page, name in ((1, "casefile-cover"), (2, "casefile-toc")):
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile", "-",
                            str(png_dir / name)], input=pdf, check=True)
    return {"documents": len(docs), "pages": pages, "bytes": len(pdf), "times": times, "floor": floor}


def bench_year(cases: int, baseline: int) -> dict:
    from service.archive.export import export_year, write_pdf_file
    from service.db import transaction
    from service.requests.models import RequestRecord

    released = text_pdf("公开的政府信息", 3)
    scan = jpeg(1200, 800, 3)
    t0 = time.perf_counter()
    for i in range(1, cases + 1):
        make_case(i, [("released", "公开信息.pdf", released), ("application", "申请书.jpg", scan)])
    setup_s = time.perf_counter() - t0
    print(f"  set up {cases} archived cases in {setup_s:.0f} s", flush=True)
    out = Path(tempfile.mkdtemp(prefix="ogi-export-"))
    samples: dict[int, float] = {}
    marks = {c for c in (1, 10, 100, 250, 500, 750, 1000, cases) if c <= cases}

    def progress(done: int, total: int) -> None:
        if done in marks or done % 50 == 0:
            samples[done] = rss_mb()
            # Printed as it goes, so a run stopped early still tells how far it got and at what memory.
            print(f"  ... {done}/{total} cases, {time.perf_counter() - t0:.0f} s, RSS {samples[done]:.0f} MB", flush=True)

    start_rss = rss_mb()
    t0 = time.perf_counter()
    with transaction(readonly=True) as session:
        report = export_year(session=session, agency_code="bench", year=2026, out=out, progress=progress)
    export_s = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in out.iterdir())
    shutil.rmtree(out)

    # Baseline: the same case files, kept in memory until the end (a non-streamed export).
    kept: list[bytes] = []
    naive: dict[int, float] = {}
    naive_start = rss_mb()
    tmp = Path(tempfile.mkdtemp(prefix="ogi-naive-"))
    with transaction(readonly=True) as session:
        ids = [r.id for r in session.exec(__import__("sqlmodel").select(RequestRecord).order_by(RequestRecord.id))]
        for n, rid in enumerate(ids[1:baseline + 1], start=1):
            record = session.get(RequestRecord, rid)
            write_pdf_file(session=session, record=record, path=tmp / "x.pdf")
            kept.append((tmp / "x.pdf").read_bytes())
            if n in (1, 10, 50, 100, 200, baseline):
                naive[n] = rss_mb()
    shutil.rmtree(tmp)
    return {"cases": report.cases, "setup_s": setup_s, "export_s": export_s, "bytes": size, "start": start_rss,
            "samples": dict(sorted(samples.items())), "naive_start": naive_start, "naive": dict(sorted(naive.items()))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline", type=int, default=200)
    parser.add_argument("--png", type=Path, default=None)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ogi-casefile-"))
    try:
        setup(tmp)
        print(f"machine: {machine()}; load {os.getloadavg()[0]:.1f} (1 min)")
        ten = bench_ten(args.repeat, args.png)
        t, f = ten["times"], ten["floor"]
        sys.stdout.flush()
        print(f"10-document case file: {ten['documents']} documents, {ten['pages']} pages, {ten['bytes'] / 1024:.0f} KB")
        print(f"  case-file PDF: median {statistics.median(t) * 1000:.0f} ms (min {min(t) * 1000:.0f}, "
              f"max {max(t) * 1000:.0f}) over {len(t)} runs")
        print(f"  baseline, its two letters alone: median {statistics.median(f) * 1000:.0f} ms "
              f"(min {min(f) * 1000:.0f}, max {max(f) * 1000:.0f})")
        year = bench_year(args.cases, args.baseline)
        print(f"year export: {year['cases']} cases in {year['export_s']:.1f} s "
              f"({year['export_s'] / max(1, year['cases']) * 1000:.0f} ms per case), {year['bytes'] / 1e6:.1f} MB written; "
              f"setting up the cases took {year['setup_s']:.0f} s")
        print(f"  RSS before: {year['start']:.0f} MB; after N cases: "
              + ", ".join(f"{n}: {v:.0f} MB" for n, v in year["samples"].items()))
        print(f"  baseline (PDFs kept in memory), RSS before {year['naive_start']:.0f} MB; after N cases: "
              + ", ".join(f"{n}: {v:.0f} MB" for n, v in year["naive"].items()))
        print(f"load after: {os.getloadavg()[0]:.1f} (1 min)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
