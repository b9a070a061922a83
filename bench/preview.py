"""Attachment preview figures: a 20-page PDF 来文 on the phone profile in Chromium, and where a 10-page .docx
is converted (the worker, not the request).

- ``preview.pdf20.uncached.*``: a fresh context (empty browser cache) and an empty preview cache for the file:
  from the detail page request to the first page image decoded and painted (``performance.now()`` after
  the image's ``decode()`` and the next animation frame, measured from the navigation's start).
- ``preview.pdf20.cached.*``: the same with the page image already drawn on the server (a second reader).
- ``preview.docx10.*``: gunicorn and a Celery worker on Redis; the detail page request only queues the
  conversion (the page says 正在生成预览…), and the time until the fragment the page polls shows the pages.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

from bench.run import BASE_DIR, _free_port, _session_cookie, stats

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "device_scale_factor": 3, "has_touch": True}
FIRST_PAGE_DRAWN = """() => new Promise((done, fail) => {
  const started = performance.now();
  (function wait() {
    const img = document.querySelector(".preview-pages img");
    if (!img) {
      if (performance.now() - started > 30000) { fail("no preview image"); return; }
      requestAnimationFrame(wait);
      return;
    }
    const loaded = img.complete && img.naturalWidth ? Promise.resolve()
      : new Promise((ok, ko) => { img.addEventListener("load", ok); img.addEventListener("error", ko); });
    loaded.then(() => img.decode()).then(() => requestAnimationFrame(() => {
      const drawn = performance.now();
      const nav = performance.getEntriesByType("navigation")[0];
      const res = performance.getEntriesByName(img.currentSrc)[0] || {};
      done({drawn, html: nav.responseEnd, imageStart: res.requestStart || 0, imageFirstByte: res.responseStart || 0,
            imageEnd: res.responseEnd || 0});
    }), fail);
  })();
})"""


@contextlib.contextmanager
def _serve(env_extra=None, workers=2):
    """gunicorn with the bench settings on a free port (and a Celery worker when a broker is given)."""
    from django.conf import settings

    port = _free_port()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings", DEBUG="false", **(env_extra or {}))
    log = open(Path(settings.DATA_DIR) / "gunicorn-preview.log", "w")  # noqa: SIM115 - closed below
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    processes = [
        subprocess.Popen(
            [gunicorn, "bench.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers), "--log-level", "warning"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    ]
    if env.get("CELERY_BROKER_URL"):
        worker = [sys.executable, "-m", "celery", "-A", "township_office", "worker", "--pool=solo"]
        worker += ["-Q", env["BENCH_QUEUE"], "--without-gossip", "--without-mingle", "--without-heartbeat"]
        processes.append(
            subprocess.Popen(
                [*worker, "-l", "warning"], cwd=BASE_DIR, env=env, stdout=log, stderr=log, start_new_session=True
            )
        )
    try:
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        log.close()


def _incoming_with(name, data, title):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents import services
    from township_office import permissions
    from township_office.models import User

    clerk = User.objects.get(username="clerk")
    document = services.register_incoming(
        by=clerk, data={"source_org": "县应急管理局", "title": title}, files=[SimpleUploadedFile(name, data)]
    )
    permissions.grant(document, "view", users=[User.objects.get(username="principal_leader")])
    return document, document.attachments.get()


def _cache_folder(attachment):
    """The server-side preview folder of this file (converted PDF, drawn pages, state)."""
    from township_office import preview
    from township_office.models import User

    found = preview.resolve(User.objects.get(username="principal_leader"), "incoming-attachment", attachment.pk)
    return preview.folder(preview.digest(found))


def _forget(folder):
    shutil.rmtree(folder, ignore_errors=True)


def measure_pdf(repeats, out=print):
    from playwright.sync_api import sync_playwright

    from tests import preview_samples

    document, attachment = _incoming_with("二十页来文.pdf", preview_samples.pdf(20), "【基准】二十页的来文")
    cookie = _session_cookie("principal_leader")
    folder = _cache_folder(attachment)  # no ORM inside Playwright's event loop
    results = {}
    with _serve() as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        url = f"{base}/documents/incoming/{document.code}/"

        def once():
            context = browser.new_context(locale="zh-CN", **PHONE)
            context.add_cookies([{"name": "sessionid", "value": cookie, "url": base}])
            page = context.new_page()
            page.goto(url, wait_until="commit")
            timings = page.evaluate(FIRST_PAGE_DRAWN)
            # Let the next pages the browser fetched meanwhile finish, so the next run starts on idle servers.
            page.wait_for_load_state("networkidle")
            context.close()
            return timings

        _forget(folder)
        once()  # warm gunicorn, the browser and the OS file cache
        for label in ("uncached", "cached"):
            runs = []
            for _ in range(repeats):
                if label == "uncached":
                    _forget(folder)
                runs.append(once())
            median, p95 = stats([run["drawn"] / 1000 for run in runs])
            results[f"preview.pdf20.{label}.median_ms"] = median
            results[f"preview.pdf20.{label}.p95_ms"] = p95
            # Where the time goes (medians, ms from the navigation's start): the page's HTML received, the
            # first page image requested, its first byte (the server drew it), received.
            for key in ("html", "imageStart", "imageFirstByte", "imageEnd"):
                results[f"preview.pdf20.{label}.{key}_ms"] = stats([run[key] / 1000 for run in runs])[0]
            out(
                f"  20 页 PDF，手机，首页显示（{label:8s}）中位 {median:7.1f} ms  p95 {p95:7.1f} ms"
                f"  (HTML {results[f'preview.pdf20.{label}.html_ms']:.0f}，图片请求"
                f" {results[f'preview.pdf20.{label}.imageStart_ms']:.0f}，首字节"
                f" {results[f'preview.pdf20.{label}.imageFirstByte_ms']:.0f}，收完"
                f" {results[f'preview.pdf20.{label}.imageEnd_ms']:.0f})"
            )
        browser.close()
    results["preview.pdf20.pages"] = 20
    results["preview.loadavg_1min"] = round(os.getloadavg()[0], 2)  # the machine is shared: say how busy
    return results


def measure_docx(out=print):
    """A 10-page .docx with a real broker: the request only queues; the worker converts."""
    import http.client

    from tests import preview_samples

    broker = os.environ.get("BENCH_BROKER_URL") or os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/0"
    try:
        host, port = broker.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)
        socket.create_connection((host, int(port)), timeout=1).close()
    except (OSError, ValueError, IndexError):
        out(f"  没有可用的 Redis（{broker}），跳过 .docx 转换测量")
        return {"preview.docx10.note": f"no broker at {broker}"}
    warm, _ = _incoming_with("预热.pdf", preview_samples.pdf(1), "【基准】预热用的来文")
    files = [
        _incoming_with(
            f"十页来文{n}.docx", preview_samples.docx(10, title=f"第{n}份通知"), f"【基准】十页的Word来文{n}"
        )
        for n in (1, 2)
    ]
    for _, attachment in files:
        _forget(_cache_folder(attachment))
    cookie = _session_cookie("principal_leader")
    queue = f"bench-preview-{uuid.uuid4().hex[:8]}"
    figures = []
    # One gunicorn worker, so the second .docx meets a process that has already sent a task.
    with _serve({"CELERY_BROKER_URL": broker, "BENCH_QUEUE": queue}, workers=1) as base:
        port = int(base.rsplit(":", 1)[1])
        headers = {"Cookie": f"sessionid={cookie}", "Host": "127.0.0.1"}

        def get(url):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", url, headers=headers)
            body = conn.getresponse().read().decode()
            conn.close()
            return body

        for _ in range(2):  # the process's first requests
            get(f"/documents/incoming/{warm.code}/")
        for document, attachment in files:
            started = time.perf_counter()
            body = get(f"/documents/incoming/{document.code}/")
            request_ms = round((time.perf_counter() - started) * 1000, 1)
            ready_after, pages = None, 0
            while time.perf_counter() - started < 120:
                fragment = get(f"/preview/incoming-attachment/{attachment.pk}/?poll=1")
                if 'data-state="ready"' in fragment:
                    ready_after = round(time.perf_counter() - started, 2)
                    pages = fragment.count("<img ")
                    break
                if 'data-state="failed"' in fragment:
                    break
                time.sleep(0.2)
            figures.append((request_ms, "正在生成预览" in body, ready_after, pages))
    (first_ms, first_queued, _, _), (request_ms, queued, ready_after, pages) = figures
    out(
        f"  10 页 .docx：详情页请求 {request_ms} ms（进程第一次发任务时 {first_ms} ms），"
        f"{'只排队，转换在 worker' if queued and first_queued else '未排队!'}，{ready_after} s 后可读（{pages} 页）"
    )
    return {
        "preview.docx10.request_ms": request_ms,
        "preview.docx10.request_first_task_of_process_ms": first_ms,
        "preview.docx10.queued_not_converted_in_request": queued and first_queued,
        "preview.docx10.ready_after_s": ready_after,
        "preview.docx10.pages": pages,
    }


def measure_preview(repeats, out=print):
    results = measure_pdf(repeats, out=out)
    results.update(measure_docx(out=out))
    return results
