"""Letters: per-letter PDF time and size for every kind and reply decision, in one run:
the installed fast path, the naive set-up, and an office-suite conversion (LibreOffice headless).

    .venv/bin/python benchmarks/letters.py [--runs 20] [--naive-runs 1] [--no-office] [--no-naive] [--only a,b] [--png DIR] [--fonts]

Configurations (each in its own process so its set-up does not leak into the others):
- fast    — the installed default (service.letters.render): GB/T 9704 layout, the measured free faces
            (AR PL UKai CN body, AR PL SungtiL GB title, fallbacks for rare characters), one
            FontConfiguration per process, HarfBuzz subsetter.
- naive   — the same HTML in Noto Serif CJK SC with bold title, fontTools subsetter (WeasyPrint without
            libharfbuzz-subset0), a new FontConfiguration per render.
- office  — LibreOffice headless converting the same HTML files to PDF (`soffice --convert-to pdf`);
            one warm soffice process converts every letter in a batch, the time per letter is the
            batch's time divided by the count (its start-up is reported apart). The set-up installs
            libreoffice-writer-nogui with apt-get when soffice is missing (benchmark-only tool).
Times are warm medians (first render of each process excluded) with min and max, wall clock and the
process's CPU time (which machine load barely moves); sizes are PDF bytes.
``--png DIR`` writes a PNG of the first page of each sample (pdftoppm) — and of the second page of the
long request — for docs/letters/. ``--fonts`` measures the candidate free faces (GB 2312 coverage,
subset size and time of one page) that docs/letters/README.md "Fonts" chose from.
"""

from __future__ import annotations

import sys

# benchmarks/calendar.py would shadow the standard library's calendar module (workalendar imports it).
if sys.path and sys.path[0].rstrip("/").endswith("benchmarks"):
    sys.path.pop(0)

import argparse
import contextlib
import dataclasses
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from benchmarks.common import machine  # noqa: E402

LONG_REQUEST = ("2021年至2025年本市老旧小区改造项目的全部资金安排文件，包括但不限于：市财政局下达的各年度专项资金预算指标文件、"
                "市住房和城乡建设局与各区人民政府签订的项目实施协议、各项目的招标文件及中标通知书、施工合同及补充协议、"
                "监理合同、工程变更签证单、竣工验收备案材料、竣工结算审计报告、资金拨付凭证及对应的会议纪要；"
                "每一项目的居民意见征询记录、改造方案公示材料及公示期间收到的意见汇总和处理情况说明；"
                "各年度改造项目绩效评价报告、第三方评估报告及整改落实情况报告；以及上述期间内市住房和城乡建设局"
                "就老旧小区改造工作向市人民政府提交的请示、报告和市人民政府的批复文件。上述信息请以电子文档形式通过电子邮件提供，"
                "如无法提供电子文档，请提供纸质复印件并邮寄至本人通信地址。另请一并提供2024年度、2025年度老旧小区改造项目"
                "涉及的加装电梯财政补贴发放名单、补贴标准依据文件、补贴资金审核记录，以及各街道办事处报送的年度改造计划"
                "和完成情况统计表。")
RARE_NAME = "张𠀀𪚥𡒄"


def samples() -> dict[str, str]:
    """HTML of one sample letter per kind, per reply decision, a long request and a rare-character name."""
    from service.letters import service
    from service.letters.samples import FakeAgency, FakeCase, full_case, notice_orders, reply_order
    from service.letters.templates import render_html
    from workflow.replies import DECISIONS

    # No electronic seal in samples: a wet-stamp letter prints no seal.
    service.get_settings = lambda: type("S", (), {"seal_dir": Path(tempfile.gettempdir()) / "ogi-no-seals"})()
    agency = FakeAgency()
    needs = dataclasses.replace(FakeCase(), correction=full_case().correction, reasons_requested_on=date(2026, 3, 5))
    out: dict[str, str] = {}

    def add(name: str, case: object, order: object, number: str) -> None:
        ctx = service.build_context(case=case, order=order, agency=agency, number=number, seal_confirmed=True)
        out[name] = render_html(ctx)

    for name, order in notice_orders().items():
        add(name, FakeCase(), order, f"常住建依申〔2026〕{len(out) + 1}号")
    for code in DECISIONS:
        case = full_case() if code == "partial" else needs if code in ("still_unclear", "excessive") else FakeCase()
        add(f"reply_{code}", case, reply_order(code), f"常住建依申复〔2026〕{len(out) + 1}号")
    add("reply_long_request", dataclasses.replace(FakeCase(), description=LONG_REQUEST), reply_order("disclose"),
        "常住建依申复〔2026〕49号")
    add("reply_rare_name", dataclasses.replace(FakeCase(), applicant={"name": RARE_NAME}),
        reply_order("disclose", applicant_name=RARE_NAME), "常住建依申复〔2026〕50号")
    return out


def as_naive(html: str) -> str:
    """The same letter as a first attempt would write it: Noto Serif CJK SC everywhere, bold title."""
    import re

    html = re.sub(r"font-family: [^;]+;", 'font-family: "Noto Serif CJK SC", serif;', html)
    return html.replace("font-weight: normal;", "font-weight: bold;")


def measure(mode: str, htmls: dict[str, str], runs: int) -> dict[str, dict[str, float]]:
    """Render every letter ``runs`` times in this process; median/min/max ms (first render excluded), size."""
    if mode == "naive":
        from weasyprint.pdf import fonts

        fonts.harfbuzz_subset = None  # what WeasyPrint does without libharfbuzz-subset0
    from io import BytesIO

    from pypdf import PdfReader
    from weasyprint import HTML

    from service.letters import render

    def one(html: str) -> bytes:
        if mode == "fast":
            return render.html_to_pdf(html)
        return HTML(string=html).write_pdf()

    one(next(iter(htmls.values())))  # process warm-up: fontconfig, Pango, font files
    result: dict[str, dict[str, float]] = {}
    for name, html in htmls.items():
        times = []
        cpu = []
        pdf = b""
        for _ in range(runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            pdf = one(html)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        pages = len(PdfReader(BytesIO(pdf)).pages)
        # CPU time of this process: what the render costs; wall time adds waiting for a core on a loaded machine.
        result[name] = {"ms": statistics.median(times) * 1000, "min": min(times) * 1000, "max": max(times) * 1000,
                        "cpu": statistics.median(cpu) * 1000, "cpu_min": min(cpu) * 1000,
                        "cpu_max": max(cpu) * 1000, "kb": len(pdf) / 1024, "pages": pages}
        if mode == "fast" and os.environ.get("OGI_BENCH_PDF_DIR"):
            Path(os.environ["OGI_BENCH_PDF_DIR"], f"{name}.pdf").write_bytes(pdf)
    return result


def run_child(mode: str, htmls: dict[str, str], runs: int, pdf_dir: str | None) -> dict[str, dict[str, float]]:
    """Measure one configuration in a fresh process."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as fh:
        json.dump(htmls, fh, ensure_ascii=False)
    env = {**os.environ, **({"OGI_BENCH_PDF_DIR": pdf_dir} if pdf_dir else {})}
    done = subprocess.run([sys.executable, __file__, "--child", mode, "--input", fh.name, "--runs", str(runs)],
                          capture_output=True, text=True, env=env, check=True)
    os.unlink(fh.name)
    return json.loads(done.stdout.strip().splitlines()[-1])


def ensure_office() -> str | None:
    """The soffice executable, installing libreoffice-writer-nogui with apt-get if it is missing."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None and shutil.which("apt-get"):
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", "libreoffice-writer-nogui"],
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, check=False, capture_output=True)
        exe = shutil.which("soffice") or shutil.which("libreoffice")
    return exe


def measure_office(exe: str, htmls: dict[str, str], rounds: int) -> tuple[dict[str, dict[str, float]], float]:
    """LibreOffice headless: convert every letter in one batch per round; per-letter ms and KB, start-up ms."""
    work = Path(tempfile.mkdtemp(prefix="ogi-office-"))
    profile = work / "profile"
    for name, html in htmls.items():
        (work / f"{name}.html").write_text(html, encoding="utf-8")
    base = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf:writer_web_pdf_Export",
            "--outdir", str(work / "out")]
    start = time.perf_counter()
    subprocess.run([*base, str(work / f"{next(iter(htmls))}.html")], check=True, capture_output=True)
    startup = (time.perf_counter() - start) * 1000
    per: list[float] = []
    files = [str(work / f"{name}.html") for name in htmls]
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run([*base, *files], check=True, capture_output=True)
        per.append((time.perf_counter() - start) * 1000 / len(files))
    result = {}
    for name in htmls:
        pdf = work / "out" / f"{name}.pdf"
        result[name] = {"ms": statistics.median(per), "min": min(per), "max": max(per),
                        "kb": pdf.stat().st_size / 1024 if pdf.exists() else float("nan")}
    shutil.rmtree(work, ignore_errors=True)
    return result, startup


def measure_fonts() -> None:
    """The candidate free faces: GB 2312 coverage, and a one-page letter set in each (time, size)."""
    from fontTools.ttLib import TTCollection, TTFont

    from service.letters import render

    gb2312 = set()
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                gb2312.add(ord(bytes([hi, lo]).decode("gb2312")))
    candidates = {
        "AR PL UKai CN": "/usr/share/fonts/truetype/arphic/ukai.ttc",
        "AR PL KaitiM GB": "/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf",
        "AR PL UMing CN": "/usr/share/fonts/truetype/arphic/uming.ttc",
        "AR PL SungtiL GB": "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
        "cwTeXFangSong": "/usr/share/fonts/truetype/cwtex/cwfs.ttf",
        "Noto Serif CJK SC": "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    }
    text = "".join(samples()["reply_not_exist"].split("<body>")[1:])
    print("| face | GB 2312 covered | one page: ms | KB |")
    print("|---|---:|---:|---:|")
    for family, path in candidates.items():
        if not Path(path).exists():
            print(f"| {family} | not installed | | |")
            continue
        font = TTCollection(path).fonts[0] if path.endswith(".ttc") else TTFont(path, lazy=True)
        cmap = font.getBestCmap() or {}
        covered = len(gb2312 & set(cmap)) / len(gb2312) * 100
        html = (f'<html><head><style>@page {{ size: A4; margin: 37mm 26mm 35mm 28mm }} body {{ font-family: "{family}"; '
                f'font-size: 16pt; line-height: 28.99pt }}</style></head><body>{text}')
        render.html_to_pdf(html)
        times = []
        for _ in range(5):
            start = time.perf_counter()
            pdf = render.html_to_pdf(html)
            times.append(time.perf_counter() - start)
        print(f"| {family} | {covered:.1f} % | {statistics.median(times) * 1000:.0f} | {len(pdf) / 1024:.1f} |")


def main() -> None:
    """Run the configurations and print Markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--naive-runs", type=int, default=1)
    parser.add_argument("--office-rounds", type=int, default=3)
    parser.add_argument("--no-office", action="store_true", help="skip the LibreOffice conversion")
    parser.add_argument("--only", default="", help="comma-separated sample names to measure (default: all)")
    parser.add_argument("--no-naive", action="store_true",
                        help="skip the naive set-up (about 40 s a letter on a loaded machine: for regenerating samples)")
    parser.add_argument("--png", type=Path, default=None, help="write a PNG of each sample's first page here")
    parser.add_argument("--fonts", action="store_true", help="measure the candidate free faces and stop")
    parser.add_argument("--child", choices=("fast", "naive"), help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        htmls = json.loads(Path(args.input).read_text(encoding="utf-8"))
        if args.child == "naive":
            htmls = {k: as_naive(v) for k, v in htmls.items()}
        print(json.dumps(measure(args.child, htmls, args.runs)))
        return
    if args.fonts:
        measure_fonts()
        return

    htmls = samples()
    if args.only:
        htmls = {k: v for k, v in htmls.items() if k in args.only.split(",")}
    pdf_dir = tempfile.mkdtemp(prefix="ogi-letters-") if args.png else None
    load_before = os.getloadavg()
    fast = run_child("fast", htmls, args.runs, pdf_dir)
    nan = {key: float("nan") for key in ("ms", "min", "max", "cpu", "cpu_min", "cpu_max", "kb")}
    naive = {} if args.no_naive else run_child("naive", htmls, args.naive_runs, None)
    office: dict[str, dict[str, float]] = {}
    startup = float("nan")
    if not args.no_office:
        exe = ensure_office()
        if exe:
            office, startup = measure_office(exe, htmls, args.office_rounds)
    print(f"machine: {machine()}; load average before/after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f}")
    print("| letter | pages | fast wall ms (min–max) | fast CPU ms (min–max) | fast KB | naive wall ms | naive CPU ms "
          "| naive KB | LibreOffice ms/letter | KB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in htmls:
        f, n, o = fast[name], naive.get(name, nan), office.get(name, nan)
        print(f"| {name} | {int(f['pages'])} | {f['ms']:.1f} ({f['min']:.0f}–{f['max']:.0f}) "
              f"| {f['cpu']:.1f} ({f['cpu_min']:.0f}–{f['cpu_max']:.0f}) | {f['kb']:.1f} "
              f"| {n['ms']:.0f} | {n['cpu']:.0f} | {n['kb']:.1f} | {o['ms']:.0f} | {o['kb']:.1f} |")
    one = [k for k in htmls if k.startswith("reply_") and fast[k]["pages"] == 1]
    if one:
        def med(r: dict[str, dict[str, float]], key: str) -> float:
            return statistics.median(r.get(k, nan)[key] for k in one)

        print(f"one-page replies ({len(one)}), median of the per-letter medians: fast wall {med(fast, 'ms'):.1f} ms, "
              f"CPU {med(fast, 'cpu'):.1f} ms, {med(fast, 'kb'):.1f} KB; naive wall {med(naive, 'ms'):.0f} ms, "
              f"CPU {med(naive, 'cpu'):.0f} ms, {med(naive, 'kb'):.1f} KB; LibreOffice {med(office, 'ms'):.0f} ms/letter "
              f"{med(office, 'kb'):.1f} KB (start-up {startup:.0f} ms)")
        print(f"ratio naive / fast: wall {med(naive, 'ms') / med(fast, 'ms'):.0f}×, CPU {med(naive, 'cpu') / med(fast, 'cpu'):.0f}×; "
              f"LibreOffice / fast (wall): {med(office, 'ms') / med(fast, 'ms'):.1f}×")
    if args.png and pdf_dir:
        args.png.mkdir(parents=True, exist_ok=True)
        for name in htmls:
            subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                            str(Path(pdf_dir, f"{name}.pdf")), str(args.png / name)], check=True)
            shutil.copy(Path(pdf_dir, f"{name}.pdf"), args.png / f"{name}.pdf")
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "2", "-l", "2", "-singlefile",
                        str(Path(pdf_dir, "reply_long_request.pdf")), str(args.png / "reply_long_request_p2")],
                       check=True)
        print(f"PDFs and PNGs in {args.png}")


if __name__ == "__main__":
    main()
