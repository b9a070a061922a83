"""The measurements. Each function returns a flat dict of figures; ``__main__`` strings them together."""

import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from django.db import connection, connections
from django.db.models import Q
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from township_office.models import User

BASE_DIR = Path(__file__).resolve().parent.parent
ROLE_USERS = [
    "principal_leader",
    "mayor",
    "deputy_leader",
    "office_director",
    "clerk",
    "seal_keeper",
    "front_desk",
    "department_staff",
    "village_staff",
    "system_admin",
    "auditor",
]
SUPERUSER = "bench_superuser"


def stats(samples):
    """Median and p95 in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return round(statistics.median(ordered) * 1000, 2), round(p95 * 1000, 2)


class count_queries:
    """Count the SQL statements run while the block runs (survives the connection being closed per request)."""

    def __init__(self):
        self.count = 0

    def _wrapper(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._hooks = []
        for conn in connections.all():
            hook = conn.execute_wrapper(self._wrapper)
            hook.__enter__()
            self._hooks.append(hook)
        return self

    def __exit__(self, *exc):
        for hook in self._hooks:
            hook.__exit__(*exc)


def _client(username):
    client = Client()
    user = User.objects.get(username=username)
    client.force_login(user, backend="township_office.backends.OfficeBackend")
    return client


def superuser():
    user, created = User.objects.get_or_create(
        username=SUPERUSER, defaults={"full_name": "基准管理员", "is_staff": True, "is_superuser": True}
    )
    return user


def _url(name, *args, query=""):
    try:
        return reverse(name, args=args) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return None


def _sample_incoming(status=None):
    from documents.models import IncomingDocument, Secrecy

    qs = IncomingDocument.objects.filter(secrecy=Secrecy.NONE)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-year", "-serial").first()


def _heaviest(model, user, base=None, *, states=None, look=10):
    """The record of ``model`` whose page is heaviest for ``user``: among the ``look`` newest records of each state
    (of ``base``, the records the bench may show: no secrecy, no accusation; of ``states`` only, when given), the
    one scored highest by the step forms the person is offered on it, then the steps, then the record's open work
    items (each may carry a 转交 form)."""
    from township_office import steps, worklist

    flow = steps.flow_for(model)
    base = model._default_manager.all() if base is None else base
    choices = [value for value, _label in model._meta.get_field(flow.status_field).choices or ()]
    best, best_score = None, None
    for state in states or choices:
        for obj in base.filter(**{flow.status_field: state}).order_by("-pk")[:look]:
            offered = flow.available(obj, user)
            score = (sum(1 for s in offered if s.form is not None), len(offered), len(worklist.open_items_shown(obj)))
            steps.forget(obj)
            if best_score is None or score > best_score:
                best, best_score = obj, score
    return best


def page_plan():
    """(key, username, url) for every main page the installed apps offer; missing apps are left out."""
    plan = [("floor", "clerk", "/bench/floor/"), ("floor_layout", "clerk", "/bench/floor-layout/")]
    plan += [(f"todo.{u}", u, _url("township_office:todo")) for u in ROLE_USERS]
    for tab in ("done", "started", "read"):
        plan += [(f"todo.{tab}.{u}", u, _url("township_office:todo", query=f"tab={tab}")) for u in ROLE_USERS]
    plan.append(("admin_changelist", SUPERUSER, "/bench-admin/documents/incomingdocument/"))
    plan.append(("admin_changelist_search", SUPERUSER, "/bench-admin/documents/incomingdocument/?q=森林防火"))
    try:
        from documents.models import IncomingDocument, OutgoingDocument, Secrecy
    except ImportError:
        IncomingDocument = None
    if IncomingDocument is not None:
        year = timezone.localdate().year - 1
        archived = _sample_incoming(IncomingDocument.Status.ARCHIVED)
        director = User.objects.get(username="office_director")
        outgoing = _heaviest(OutgoingDocument, director, OutgoingDocument.objects.filter(secrecy="none"))
        plan += [
            ("documents.incoming_list", "clerk", _url("documents:incoming_list")),
            ("documents.incoming_list.leader", "deputy_leader", _url("documents:incoming_list")),
            ("documents.incoming_list.staff", "department_staff", _url("documents:incoming_list")),
            ("documents.incoming_list.filtered", "clerk", _url("documents:incoming_list", query="status=handling")),
            (
                "documents.incoming_list.filtered_year",
                "office_director",
                _url("documents:incoming_list", query=f"year={year}&status=archived"),
            ),
            ("search.incoming_title", "clerk", _url("documents:incoming_list", query="q=森林防火")),
            ("search.incoming_number", "clerk", _url("documents:incoming_list", query=f"q=县政办发〔{year}〕1")),
            ("search.incoming_title.staff", "department_staff", _url("documents:incoming_list", query="q=防汛")),
            ("documents.circulation_board", "office_director", _url("documents:circulation_board")),
            ("documents.outgoing_list", "office_director", _url("documents:outgoing_list")),
            ("documents.outgoing_list.staff", "department_staff", _url("documents:outgoing_list")),
            (
                "documents.outgoing_list.filtered",
                "office_director",
                _url("documents:outgoing_list", query="status=issued"),
            ),
            ("search.outgoing_title", "office_director", _url("documents:outgoing_list", query="q=安全生产")),
            ("documents.archive_catalogue", "clerk", _url("documents:archive_catalogue", query=f"year={year}")),
        ]
        # The office director on a 收文 awaiting 拟办: every step form the page can offer (拟办's leaders and
        # departments, 退文, 更正登记, 催办) and the 转交 form of the open work.
        visible = IncomingDocument.objects.filter(secrecy=Secrecy.NONE)
        heaviest = _heaviest(IncomingDocument, director, visible, states=[IncomingDocument.Status.REGISTERED])
        if heaviest:
            plan.append(
                ("documents.incoming_detail", "office_director", _url("documents:incoming_detail", heaviest.code))
            )
        handling = _heaviest(IncomingDocument, director, visible, states=[IncomingDocument.Status.HANDLING])
        if handling:
            plan.append(
                (
                    "documents.incoming_detail.handling",
                    "office_director",
                    _url("documents:incoming_detail", handling.code),
                )
            )
        if archived:
            plan.append(
                ("documents.incoming_detail.archived", "clerk", _url("documents:incoming_detail", archived.code))
            )
        if outgoing:
            plan.append(
                ("documents.outgoing_detail", "office_director", _url("documents:outgoing_detail", outgoing.code))
            )
    # Pages of the apps still being written: included as soon as their URLs exist.
    for key, username, name in [
        ("visitors.contact_list", "front_desk", "visitors:contact_list"),
        ("visitors.case_list", "front_desk", "visitors:case_list"),
        ("visitors.case_list.leader", "deputy_leader", "visitors:case_list"),
        ("visitors.daily_report", "office_director", "visitors:daily_report"),
        ("seals.request_list", "seal_keeper", "seals:request_list"),
        ("seals.request_list.office", "office_director", "seals:request_list"),
        ("seals.letter_list", "office_director", "seals:letter_list"),
        ("seals.register", "seal_keeper", "seals:register"),
        ("reception.list", "office_director", "reception:list"),
        ("reception.calendar", "office_director", "reception:calendar"),
        ("reception.totals", "office_director", "reception:totals"),
    ]:
        url = _url(name)
        if url:
            plan.append((key, username, url))
    try:
        from visitors.models import PetitionCase
    except ImportError:
        PetitionCase = None
    if PetitionCase is not None:
        from visitors.models import Contact

        director = User.objects.get(username="office_director")
        cases = PetitionCase.objects.exclude(petition_type=PetitionCase.Type.ACCUSATION).filter(
            accused_department__isnull=True
        )
        case = _heaviest(PetitionCase, director, cases)
        if case:
            plan.append(("visitors.case_detail", "office_director", _url("visitors:case_detail", case.code)))
        contact = _heaviest(Contact, director)
        if contact:
            plan.append(("visitors.contact_detail", "office_director", _url("visitors:contact_detail", contact.code)))
        # The receptionist looks up a caller by the number on the phone's screen (every generated number
        # shares the prefix 139057, so a prefix search would match all 80,000 contacts).
        phone = Contact.objects.exclude(phone="").order_by("-pk").values_list("phone", flat=True).first() or "139057"
        plan.append(("search.contacts_phone", "front_desk", _url("visitors:contact_list", query=f"q={phone}")))
        plan.append(("search.cases_name", "front_desk", _url("visitors:case_list", query="q=张")))
    try:
        from seals.models import SealRequest
    except ImportError:
        SealRequest = None
    if SealRequest is not None:
        director = User.objects.get(username="office_director")
        request = _heaviest(SealRequest, director)
        if request:
            plan.append(("seals.request_detail", "office_director", _url("seals:request_detail", request.code)))
        stamped = SealRequest.objects.filter(status="stamped").order_by("-pk").first()
        if stamped:
            plan.append(("seals.request_detail.keeper", "seal_keeper", _url("seals:request_detail", stamped.code)))
        plan.append(("search.seal_requests", "office_director", _url("seals:request_list", query="q=合同")))
    try:
        from reception.models import Reception
    except ImportError:
        Reception = None
    if Reception is not None:
        reception = _heaviest(Reception, User.objects.get(username="office_director"))
        if reception:
            plan.append(("reception.detail", "office_director", _url("reception:detail", reception.code)))
    return [(k, u, url) for k, u, url in plan if url]


ADMIN_PAGE = "admin_changelist"


def _timed(client, url):
    started = time.perf_counter()
    client.get(url)
    return time.perf_counter() - started


def measure_pages(repeats, out=print, *, paired=True):
    """Server time (median, p95) and query count of every main page, in this process.

    ``paired``: each page's requests alternate with requests of the admin changelist, whose median over those
    requests is kept beside the page's (``page.<page>.admin_median_ms``): on a machine shared with others the speed
    changes from one minute to the next, and a page is then compared with the admin measured in the same seconds."""
    superuser()
    results, clients = {}, {}
    plan = page_plan()
    admin_url = next((url for key, _u, url in plan if key == ADMIN_PAGE), None)
    for key, username, url in plan:
        client = clients.get(username) or clients.setdefault(username, _client(username))
        response = client.get(url)  # warm: templates, caches
        if response.status_code != 200:
            results[f"page.{key}.error"] = f"HTTP {response.status_code} on {url}"
            out(f"  {key:45s} HTTP {response.status_code} {url}")
            continue
        with count_queries() as captured:
            client.get(url)
        pair = paired and admin_url and not key.startswith(("floor", "admin"))
        admin = clients.get(SUPERUSER) or clients.setdefault(SUPERUSER, _client(SUPERUSER))
        samples, admin_samples = [], []
        for _ in range(repeats):
            samples.append(_timed(client, url))
            if pair:
                admin_samples.append(_timed(admin, admin_url))
        median, p95 = stats(samples)
        results[f"page.{key}.median_ms"] = median
        results[f"page.{key}.p95_ms"] = p95
        results[f"page.{key}.queries"] = captured.count
        results[f"page.{key}.url"] = url
        paired_note = ""
        if admin_samples:
            results[f"page.{key}.admin_median_ms"] = stats(admin_samples)[0]
            paired_note = f"  admin {results[f'page.{key}.admin_median_ms']:8.1f} ms"
        out(f"  {key:45s} {median:8.1f} ms  p95 {p95:8.1f}  {captured.count:3d} q{paired_note}")
    return results


def measure_slips(repeats, batch=100, out=print):
    try:
        from documents.models import IncomingDocument
        from documents.pdf import routing_slip, routing_slips
    except ImportError:
        return {"slip.note": "skipped: the documents app has no routing slip"}
    document = _sample_incoming(IncomingDocument.Status.ARCHIVED) or _sample_incoming()
    if document is None:
        return {"slip.note": "skipped: no incoming file"}
    routing_slip(document)  # warm: fonts and templates
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        routing_slip(document)
        samples.append(time.perf_counter() - started)
    median, p95 = stats(samples)
    documents = list(IncomingDocument.objects.filter(secrecy="none").order_by("-pk")[:batch])
    started = time.perf_counter()
    pdf = routing_slips(documents)
    batch_s = time.perf_counter() - started
    out(f"  routing slip {median:.1f} ms (p95 {p95:.1f}); {len(documents)} slips {batch_s:.2f} s ({len(pdf)} bytes)")
    return {
        "slip.single.median_ms": median,
        "slip.single.p95_ms": p95,
        "slip.batch.count": len(documents),
        "slip.batch.seconds": round(batch_s, 3),
    }


# --- HTTP under concurrency ---------------------------------------------------


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _session_cookie(username):
    client = _client(username)
    return client.cookies["sessionid"].value


def _drive(port, jobs, seconds, concurrency):
    """Bounded thread-based load: each worker loops over its (cookie, url) jobs until time is up."""
    deadline = time.monotonic() + seconds
    latencies, errors, lock = [], [], threading.Lock()

    def worker(index):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, errs = [], []
        i = index
        while time.monotonic() < deadline:
            cookie, url = jobs[i % len(jobs)]
            i += concurrency
            started = time.perf_counter()
            try:
                conn.request("GET", url, headers={"Cookie": f"sessionid={cookie}", "Host": "127.0.0.1"})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errs.append(f"{response.status} {url}")
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            except Exception as exc:  # noqa: BLE001 - every failure is an error figure
                errs.append(f"{type(exc).__name__} {url}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors.extend(errs)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    elapsed = time.perf_counter() - started
    median, p95 = stats(latencies) if latencies else (0, 0)
    return {
        "requests": len(latencies),
        "rps": round(len(latencies) / elapsed, 1),
        "median_ms": median,
        "p95_ms": p95,
        "errors": len(errors),
        "error_sample": errors[:5],
    }


def measure_http(seconds, concurrency=8, workers=2, out=print):
    """gunicorn with the production settings (DEBUG off) and a mixed logged-in workload, then the floor."""
    plan = [(k, u, url) for k, u, url in page_plan() if not k.startswith(("admin", "floor"))]
    cookies = {u: _session_cookie(u) for _, u, _ in plan}
    mixed = [(cookies[u], quote(url, safe="/?=&%")) for _, u, url in plan]
    floor = [(cookies[u], "/bench/floor/") for _, u, _ in plan]
    port = _free_port()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings", DEBUG="false")
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    from django.conf import settings

    log = open(Path(settings.DATA_DIR) / "gunicorn.log", "w")  # noqa: SIM115 - closed in finally
    process = subprocess.Popen(
        [gunicorn, "bench.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers), "--log-level", "warning"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            return {"http.note": "gunicorn did not start"}
        _drive(port, mixed, 1, concurrency)  # warm every worker
        results = {}
        for name, jobs in [("mixed", mixed), ("floor", floor)]:
            figures = _drive(port, jobs, seconds, concurrency)
            for field, value in figures.items():
                results[f"http.{name}.{field}"] = value
            out(
                f"  http {name:6s} {figures['rps']:8.1f} req/s  p95 {figures['p95_ms']:7.1f} ms  "
                f"errors {figures['errors']} / {figures['requests']}"
            )
        results["http.concurrency"] = concurrency
        results["http.gunicorn_workers"] = workers
        results["http.seconds"] = seconds
        return results
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


# --- Writes -----------------------------------------------------------------------


def measure_writes(clerks=8, per_clerk=25, out=print):
    """Incoming registrations per second with concurrent clerks; the year's serial must stay gapless."""
    if connection.vendor != "postgresql":
        return {"writes.note": "skipped: needs PostgreSQL (set DATABASE_URL)"}
    from documents.models import IncomingDocument
    from documents.services import register_incoming
    from township_office.roles import Role, role_users

    clerk = role_users(Role.CLERK).first()
    errors = []

    def work(n):
        try:
            for i in range(per_clerk):
                register_incoming(
                    by=clerk,
                    data={
                        "source_org": "县人民政府办公室",
                        "source_doc_number": f"县政办发〔{timezone.localdate().year}〕{n * 1000 + i}号",
                        "title": f"基准并发登记 {n}-{i}",
                        "deadline": timezone.localdate() + timedelta(days=10),
                    },
                )
        except Exception as exc:  # noqa: BLE001 - reported as a figure
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clerks)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    year = timezone.localdate().year
    serials = list(IncomingDocument.objects.filter(year=year).order_by("serial").values_list("serial", flat=True))
    gapless = serials == list(range(1, len(serials) + 1))
    created = IncomingDocument.objects.filter(Q(title__startswith="基准并发登记")).count()
    rate = round(clerks * per_clerk / elapsed, 1)
    out(f"  writes: {rate} registrations/s with {clerks} clerks, gapless={gapless}, errors={len(errors)}")
    return {
        "writes.clerks": clerks,
        "writes.registrations": clerks * per_clerk,
        "writes.per_second": rate,
        "writes.gapless": gapless,
        "writes.errors": len(errors),
        "writes.created_total": created,
    }
