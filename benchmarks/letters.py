"""Letters: per-letter PDF time and size for every kind and reply decision, fast path vs naive, one run.

    .venv/bin/python benchmarks/letters.py [--runs 20] [--naive-runs 1] [--png DIR]

Configurations (each in its own process so its set-up does not leak into the others):
- fast   — the installed default (service.letters.render): one FontConfiguration per process,
           "AR PL UMing CN" (one TrueType face named by family), HarfBuzz subsetter.
- noto   — the same HTML with Noto Serif CJK SC and bold headings, HarfBuzz subsetter.
- naive  — Noto Serif CJK SC with bold headings, fontTools subsetter (as without libharfbuzz-subset0),
           a new FontConfiguration per render (WeasyPrint's default when none is passed).
Times are warm (the first render of each process is excluded) medians; sizes are bytes of the PDF.
``--png DIR`` also writes a PNG of the first page of each sample (pdftoppm), for docs/letters/.
"""

from __future__ import annotations

import sys

# benchmarks/calendar.py would shadow the standard library's calendar module (workalendar imports it).
if sys.path and sys.path[0].rstrip("/").endswith("benchmarks"):
    sys.path.pop(0)

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from benchmarks.common import machine  # noqa: E402


def samples() -> dict[str, str]:
    """HTML of one sample letter per kind and per reply decision (wet-stamp position, confirmed)."""
    from service.letters import service
    from service.letters.samples import FakeAgency, FakeCase, full_case, notice_orders, reply_order
    from service.letters.templates import render_html
    from workflow.replies import DECISIONS

    # No electronic seal in samples: the wet-stamp position is what a reviewer should see.
    service.get_settings = lambda: type("S", (), {"seal_dir": Path(tempfile.gettempdir()) / "ogi-no-seals"})()
    agency = FakeAgency()
    full = full_case()
    out: dict[str, str] = {}
    for name, order in notice_orders().items():
        ctx = service.build_context(case=FakeCase(), order=order, agency=agency,
                                    number=f"常住建依申〔2026〕{len(out) + 1}号", seal_confirmed=True)
        out[name] = render_html(ctx)
    for code in DECISIONS:
        case = full if code == "partial" else FakeCase()
        ctx = service.build_context(case=case, order=reply_order(code), agency=agency,
                                    number=f"常住建依申复〔2026〕{len(out) + 1}号", seal_confirmed=True)
        out[f"reply_{code}"] = render_html(ctx)
    return out


def as_naive(html: str) -> str:
    """The same letter as a first attempt would write it: Noto Serif CJK SC, bold title and heading."""
    return html.replace('"AR PL UMing CN"', '"Noto Serif CJK SC"').replace("font-weight: normal;", "")


def measure(mode: str, htmls: dict[str, str], runs: int) -> dict[str, dict[str, float]]:
    """Render every letter ``runs`` times in this process; median ms (first render excluded) and size."""
    if mode == "naive":
        from weasyprint.pdf import fonts

        fonts.harfbuzz_subset = None  # what WeasyPrint does without libharfbuzz-subset0
    from weasyprint import HTML

    from service.letters import render

    def one(html: str) -> bytes:
        if mode == "fast":
            return render.html_to_pdf(html)
        if mode == "noto":
            return HTML(string=html).write_pdf(font_config=render.font_config(), **render.PDF_OPTIONS)
        return HTML(string=html).write_pdf()

    one(next(iter(htmls.values())))  # process warm-up: fontconfig, Pango, font files
    result: dict[str, dict[str, float]] = {}
    for name, html in htmls.items():
        times = []
        pdf = b""
        for _ in range(runs):
            start = time.perf_counter()
            pdf = one(html)
            times.append(time.perf_counter() - start)
        from io import BytesIO

        from pypdf import PdfReader

        pages = len(PdfReader(BytesIO(pdf)).pages)
        result[name] = {"ms": statistics.median(times) * 1000, "kb": len(pdf) / 1024, "pages": pages}
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




def main() -> None:
    """Run the three configurations and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--naive-runs", type=int, default=1)
    parser.add_argument("--png", type=Path, default=None, help="write a PNG of each sample's first page here")
    parser.add_argument("--child", choices=("fast", "noto", "naive"), help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        htmls = json.loads(Path(args.input).read_text(encoding="utf-8"))
        if args.child != "fast":
            htmls = {k: as_naive(v) for k, v in htmls.items()}
        print(json.dumps(measure(args.child, htmls, args.runs)))
        return

    htmls = samples()
    pdf_dir = tempfile.mkdtemp(prefix="ogi-letters-") if args.png else None
    fast = run_child("fast", htmls, args.runs, pdf_dir)
    noto = run_child("noto", htmls, max(3, args.runs // 4), None)
    naive = run_child("naive", htmls, args.naive_runs, None)
    print(f"machine: {machine()}")
    print("| letter | fast ms | fast KB | pages | Noto+HarfBuzz ms | KB | naive ms | naive KB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in htmls:
        f, n, v = fast[name], noto[name], naive[name]
        print(f"| {name} | {f['ms']:.1f} | {f['kb']:.1f} | {int(f['pages'])} | {n['ms']:.1f} | {n['kb']:.1f} "
              f"| {v['ms']:.0f} | {v['kb']:.1f} |")
    med = {label: (statistics.median(r[k]["ms"] for k in r), statistics.median(r[k]["kb"] for k in r))
           for label, r in (("fast", fast), ("Noto+HarfBuzz", noto), ("naive", naive))}
    row = " | ".join(f"{med[label][0]:.1f} | {med[label][1]:.1f}" for label in ("fast", "Noto+HarfBuzz", "naive"))
    print(f"| **median** | {row.replace(' | ', ' | ', 1)} |".replace(f"{med['fast'][1]:.1f} | ", f"{med['fast'][1]:.1f} | | ", 1))
    if args.png and pdf_dir:
        args.png.mkdir(parents=True, exist_ok=True)
        for name in htmls:
            subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                            str(Path(pdf_dir, f"{name}.pdf")), str(args.png / name)], check=True)
        print(f"PNGs in {args.png}")


if __name__ == "__main__":
    main()
