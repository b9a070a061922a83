"""``python -m bench [--scale N] [--quick]``: seed (once per scale), measure, print a table, write results.json.

SQLite in ``data/bench`` by default; PostgreSQL when DATABASE_URL is set.
"""

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description="性能基准")
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE") or 4))
    parser.add_argument("--quick", action="store_true", help="fewer repeats and shorter load (a smoke run)")
    parser.add_argument("--reseed", action="store_true", help="drop the bench data and generate it again")
    parser.add_argument("--output", default=str(HERE / "results.json"))
    parser.add_argument("--preview-only", action="store_true", help="only the attachment preview figures")
    parser.add_argument(
        "--pages-only", action="store_true", help="only the page figures, merged into the output's other figures"
    )
    parser.add_argument("--repeats", type=int, help="timed requests per page (default 20, 5 with --quick)")
    return parser.parse_args(argv)


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("DEBUG", "false")
    sys.path.insert(0, str(HERE.parent))
    import django

    django.setup()


def ensure_data(scale, reseed, out=print):
    """Migrate, collect static, and generate the volume unless this scale is already there."""
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    marker = Path(settings.DATA_DIR) / "bench_scale.json"
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        marker = Path(settings.DATA_DIR) / f"bench_scale_{settings.DATABASES['default']['NAME']}.json"
    current = json.loads(marker.read_text()) if marker.exists() else None
    if current and current.get("scale") == scale and not reseed:
        out(f"数据已存在（×{scale}，{current.get('seconds')} 秒生成），跳过生成")
        _analyze()
        return current
    if current or reseed:
        call_command("flush", interactive=False, verbosity=0)
    from bench.volume import seed

    out(f"生成数据 ×{scale} …")
    started = time.perf_counter()
    summary = seed(scale, out=out)
    info = {"scale": scale, "seconds": round(time.perf_counter() - started, 1), "summary": summary}
    marker.write_text(json.dumps(info, ensure_ascii=False))
    _analyze()
    return info


def _analyze():
    """PostgreSQL plans from statistics: after a bulk load they are stale until autovacuum comes round
    (a running office's tables are analysed as they grow). SQLite keeps none unless asked (ANALYZE is
    not run on the office's database either), so it is measured as it runs there."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


TARGETS_NOTE = {
    "page_vs_floor": "every main page: median ≤ 3 × floor",
    "page_vs_admin": "every main page: median < admin changelist, and at most a third of it (issue 23)",
    "queries": "every main page: ≤ 12 queries",
    "search_vs_floor": "search at ×4: median ≤ 5 × floor",
    "slip": "routing slip median ≤ 150 ms",
    "batch": "100-slip batch ≤ 10 s",
    "http": "mixed throughput ≥ 30 % of floor, zero errors",
    "preview": "20-page PDF first page drawn on the phone ≤ 1 s, cached and uncached; .docx converted in the worker",
}


def evaluate(results):
    """Ratios against the references measured in the same run, and the targets they meet or miss."""
    floor = results.get("page.floor.median_ms")
    admin = results.get("page.admin_changelist.median_ms")
    ratios, missed = {}, []
    pages = sorted({k[5:-10] for k in results if k.startswith("page.") and k.endswith(".median_ms")})
    for page in pages:
        if page.startswith(("floor", "admin_changelist")):
            continue
        median = results[f"page.{page}.median_ms"]
        ratio = round(median / floor, 2) if floor else None
        ratios[f"ratio.{page}.vs_floor"] = ratio
        # the admin changelist measured alternately with this page (run.measure_pages), else its own figure
        admin = results.get(f"page.{page}.admin_median_ms") or results.get("page.admin_changelist.median_ms")
        if admin:
            ratios[f"ratio.{page}.vs_admin"] = round(median / admin, 2)
        limit = 5 if page.startswith("search.") else 3
        if ratio is not None and ratio > limit:
            missed.append(f"{page}: {ratio} × floor (target ≤ {limit})")
        if admin and median >= admin and not page.startswith("search."):
            missed.append(f"{page}: {median} ms ≥ admin changelist {admin} ms")
        elif admin and median > admin / 3 and not page.startswith("search."):  # issue 23
            missed.append(f"{page}: {median} ms > a third of the admin changelist ({admin / 3:.2f} ms)")
        queries = results.get(f"page.{page}.queries")
        if queries is not None and queries > 12:
            missed.append(f"{page}: {queries} queries (target ≤ 12)")
        if page.startswith("todo."):  # 我的待办 and its tabs read the work items only
            if queries is not None and queries > 8:
                missed.append(f"{page}: {queries} queries (我的待办 target ≤ 8)")
            if admin and median > admin / 2:
                missed.append(f"{page}: {median} ms > half the admin changelist ({admin / 2:.2f} ms)")
    admin = results.get("page.admin_changelist.median_ms")
    if admin and floor:
        ratios["ratio.admin_changelist.vs_floor"] = round(admin / floor, 2)
    layout = results.get("page.floor_layout.median_ms")
    if layout and floor:
        ratios["ratio.floor_layout.vs_floor"] = round(layout / floor, 2)
        for page in pages:
            if not page.startswith(("floor", "admin_changelist")):
                ratios[f"ratio.{page}.vs_floor_layout"] = round(results[f"page.{page}.median_ms"] / layout, 2)
    if "slip.single.median_ms" in results and results["slip.single.median_ms"] > 60:
        missed.append(f"routing slip: {results['slip.single.median_ms']} ms (target ≤ 60)")
    if "slip.batch.seconds" in results and results["slip.batch.seconds"] > 10:
        missed.append(f"100-slip batch: {results['slip.batch.seconds']} s (target ≤ 10)")
    if results.get("http.floor.rps"):
        share = round(results["http.mixed.rps"] / results["http.floor.rps"], 3)
        ratios["ratio.http.mixed.vs_floor"] = share
        if share < 0.3:
            missed.append(f"http mixed: {share:.0%} of floor throughput (target ≥ 30 %)")
        if results["http.mixed.errors"]:
            missed.append(f"http mixed: {results['http.mixed.errors']} errors")
    if results.get("writes.gapless") is False or results.get("writes.errors"):
        missed.append("writes: serial not gapless or errors")
    for label in ("uncached", "cached"):
        drawn = results.get(f"preview.pdf20.{label}.median_ms")
        if drawn is not None and drawn > 1000:
            missed.append(f"preview: 20-page PDF first page {label} {drawn} ms (target ≤ 1000)")
    if results.get("preview.docx10.queued_not_converted_in_request") is False:
        missed.append("preview: the .docx was converted in the request")
    return ratios, missed


def main(argv=None):
    args = parse(argv if argv is not None else sys.argv[1:])
    setup()
    from django.db import connection

    from bench import run

    repeats, seconds = (5, 3) if args.quick else (20, 15)
    repeats = args.repeats or repeats
    started = time.perf_counter()
    info = ensure_data(args.scale, args.reseed)
    results = {
        "meta.scale": args.scale,
        "meta.database": connection.vendor,
        "meta.quick": args.quick,
        "meta.repeats": repeats,
        "meta.python": platform.python_version(),
        "meta.machine": f"{platform.machine()} {os.cpu_count()} cpu",
        "meta.seed_seconds": info.get("seconds"),
        "meta.started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    if args.preview_only:
        return _preview_only(args, results, repeats, started)
    if args.pages_only:
        return _pages_only(args, results, repeats, started)
    print("\n页面服务器耗时（进程内，Django test Client）")
    results.update(run.measure_pages(repeats))
    print("\n收文处理笺 PDF")
    results.update(run.measure_slips(max(3, repeats // 2)))
    print("\nHTTP 并发（gunicorn，生产设置）")
    results.update(run.measure_http(seconds))
    print("\n并发写入")
    results.update(run.measure_writes(per_clerk=10 if args.quick else 25))
    print("\n附件预览（Chromium，手机 390×844）")
    from bench.preview import measure_preview

    results.update(measure_preview(max(3, repeats // 2)))
    ratios, missed = evaluate(results)
    results.update(ratios)
    results["targets.missed"] = missed
    results["targets.met"] = not missed
    results["meta.total_seconds"] = round(time.perf_counter() - started, 1)
    Path(args.output).write_text(json.dumps(results, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    print_table(results)
    print(f"\n结果已写入 {args.output}")
    return 0


def _preview_only(args, results, repeats, started):
    """``--preview-only``: the preview figures merged into the last results.json."""
    from bench.preview import measure_preview

    print("\n附件预览（Chromium，手机 390×844）")
    figures = measure_preview(max(3, repeats // 2))
    output = Path(args.output)
    merged = json.loads(output.read_text()) if output.exists() else results
    merged = {k: v for k, v in merged.items() if not k.startswith("preview.")}
    merged.update(figures)
    merged["meta.preview_started"] = results["meta.started"]
    merged["meta.preview_seconds"] = round(time.perf_counter() - started, 1)
    output.write_text(json.dumps(merged, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    for key in sorted(figures):
        print(f"{key:46s} {figures[key]}")
    print(f"\n结果已写入 {args.output}")
    return 0


def _pages_only(args, results, repeats, started):
    """``--pages-only``: the page figures afresh, merged into the output's other figures (slips, HTTP, preview, of
    the run that wrote them: their own ratios compare within that run)."""
    from bench import run

    print("\n页面服务器耗时（进程内，Django test Client）")
    figures = run.measure_pages(repeats)
    output = Path(args.output)
    merged = json.loads(output.read_text()) if output.exists() else {}
    merged = {k: v for k, v in merged.items() if not k.startswith(("page.", "ratio.", "targets."))}
    merged.update(results)
    merged.update(figures)
    merged["meta.pages_only"] = True
    ratios, missed = evaluate(merged)
    merged.update(ratios)
    merged["targets.missed"] = missed
    merged["targets.met"] = not missed
    merged["meta.total_seconds"] = round(time.perf_counter() - started, 1)
    output.write_text(json.dumps(merged, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    print_table(merged)
    print(f"\n结果已写入 {args.output}")
    return 0


def print_table(results):
    floor = results.get("page.floor.median_ms") or 1
    print(f"\n{'页面':46s} {'中位 ms':>9s} {'p95 ms':>9s} {'查询':>5s} {'×floor':>7s}")
    pages = sorted({k[5:-10] for k in results if k.startswith("page.") and k.endswith(".median_ms")})
    for page in pages:
        median = results[f"page.{page}.median_ms"]
        print(
            f"{page:46s} {median:9.1f} {results[f'page.{page}.p95_ms']:9.1f} "
            f"{results[f'page.{page}.queries']:5d} {median / floor:7.2f}"
        )
    for key in sorted(results):
        if key.startswith(("slip.", "http.", "writes.", "preview.")) and not key.endswith("error_sample"):
            print(f"{key:46s} {results[key]}")
    print("\n目标：" + ("全部达成" if results["targets.met"] else "未达成："))
    for line in results["targets.missed"]:
        print(f"  - {line}")


if __name__ == "__main__":
    sys.exit(main())
