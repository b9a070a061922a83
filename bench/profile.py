"""``python -m bench.profile PAGE [PAGE …] [--repeats N] [--top N]``: where one page's time goes.

PAGE is a key of the bench's page plan (``documents.incoming_detail``, ``visitors.daily_report``, …; ``--list``
prints them). Each page is requested as the plan's user through the Django test ``Client`` against the bench
database (warmed once), then profiled over ``--repeats`` requests with cProfile: the functions that took the most
time, and the share spent rendering templates. Uses the bench's data as it is (run ``python -m bench`` first).
"""

import argparse
import cProfile
import io
import pstats
import sys
import time


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("pages", nargs="*")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"])
    parser.add_argument("--list", action="store_true", help="print the page keys and exit")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])

    from bench.__main__ import setup

    setup()
    from bench import run

    run.superuser()
    plan = {key: (username, url) for key, username, url in run.page_plan()}
    if args.list or not args.pages:
        for key, (username, url) in plan.items():
            print(f"{key:45s} {username:18s} {url}")
        return 0
    for page in args.pages:
        if page not in plan:
            print(f"{page}: not in the page plan (--list)")
            return 1
        username, url = plan[page]
        client = run._client(username)
        response = client.get(url)
        if response.status_code != 200:
            print(f"{page}: HTTP {response.status_code} on {url}")
            return 1
        samples = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            client.get(url)
            samples.append(time.perf_counter() - started)
        median, p95 = run.stats(samples)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeats):
            client.get(url)
        profiler.disable()
        stream = io.StringIO()
        figures = pstats.Stats(profiler, stream=stream)
        rendering = _cumulative(figures, "django/template/base.py", "render") / args.repeats * 1000
        total = figures.total_tt / args.repeats * 1000
        print(f"\n{page} as {username}: {url}")
        print(f"  median {median} ms, p95 {p95} ms (unprofiled, {args.repeats} requests)")
        print(f"  profiled {total:.1f} ms a request, of which templates (Template.render) {rendering:.1f} ms")
        figures.sort_stats(args.sort).print_stats(args.top)
        print(stream.getvalue())
    return 0


def _cumulative(figures, filename, function):
    """The cumulative time of the outermost calls of ``function`` in ``filename`` (Template.render)."""
    best = 0.0
    for (path, _line, name), (_cc, _nc, _tt, ct, _callers) in figures.stats.items():
        if path.endswith(filename) and name == function:
            best = max(best, ct)
    return best


if __name__ == "__main__":
    sys.exit(main())
