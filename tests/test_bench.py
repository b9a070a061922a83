"""The bench machinery at a tiny scale, so it cannot rot (the real run is ``make bench``, not part of the suite)."""

import pytest
from django.contrib.auth.models import Permission

pytestmark = [pytest.mark.django_db, pytest.mark.urls("bench.urls")]


def quiet(*args, **kwargs):
    pass


@pytest.fixture
def tiny_volume():
    from bench.volume import seed

    return seed(0.002, out=quiet)


def test_volume_generator_shapes_rows_like_the_workflow(tiny_volume):
    from sequences.models import Sequence

    from documents.models import (
        IncomingDocument,
        IncomingDocumentGroupObjectPermission,
        IncomingDocumentUserObjectPermission,
        OutgoingDocument,
    )

    assert tiny_volume["documents"]["incoming"] == IncomingDocument.objects.count() == 100
    assert OutgoingDocument.objects.count() == 20
    years = sorted(set(IncomingDocument.objects.values_list("year", flat=True)))
    assert len(years) == 10
    for year in years:
        serials = list(IncomingDocument.objects.filter(year=year).order_by("serial").values_list("serial", flat=True))
        assert serials == list(range(1, len(serials) + 1))
        # The next registration continues the register without a gap.
        assert Sequence.objects.get(name=f"documents.incoming.{year}").last == len(serials)
    # Every 发文 names a real 正文, so its detail page previews it as an office's would.
    assert all(o.body.storage.exists(o.body.name) for o in OutgoingDocument.objects.all())
    routed = IncomingDocument.objects.exclude(status__in=["registered", "returned"]).first()
    leader = routed.instructing_leaders.first()
    instruct = Permission.objects.get(codename="instruct_incomingdocument")
    assert IncomingDocumentUserObjectPermission.objects.filter(
        content_object=routed, user=leader, permission=instruct
    ).exists()
    lead = routed.assignments.get(role="lead").department
    assert IncomingDocumentGroupObjectPermission.objects.filter(
        content_object=routed, group=lead.group, permission__codename="handle_incomingdocument"
    ).exists()


def test_seal_volume_keeps_the_register_chain_and_grants(tiny_volume):
    from seals.models import SealRequest, SealRequestUserObjectPermission, Stamping
    from seals.workflow import file_unchanged, verify_register

    assert SealRequest.objects.count() == 60
    # The file to be stamped is there and matches the fingerprint its approval is bound to.
    assert all(file_unchanged(r) for r in SealRequest.objects.all())
    assert Stamping.objects.exists()
    ok, broken, count = verify_register()
    assert ok and broken is None and count == Stamping.objects.count()
    pending_step = SealRequest.objects.filter(steps__decision="pending").first()
    if pending_step:
        approver = pending_step.steps.filter(decision="pending").first().approvers.first()
        assert SealRequestUserObjectPermission.objects.filter(
            content_object=pending_step, user=approver, permission__codename="approve_sealrequest"
        ).exists()


def test_volume_gives_every_record_its_matter_and_work_items(tiny_volume):
    from documents.models import IncomingDocument
    from township_office import worklist
    from township_office.models import Matter, User, WorkItem

    assert tiny_volume["worklist"]["matters"] == Matter.objects.count() > IncomingDocument.objects.count()
    assert WorkItem.objects.filter(done_at__isnull=True).exists() and WorkItem.objects.filter(done_at__isnull=False)
    leader = User.objects.get(username="principal_leader")
    assert worklist.done_by(leader).exists()  # ten years of 批示 in 已办


def test_pages_measured_against_both_references_with_constant_queries(tiny_volume):
    from bench import run
    from bench.__main__ import evaluate
    from bench.volume import seed

    small = run.measure_pages(1, out=quiet)
    assert not [k for k in small if k.endswith(".error")], small
    for key in ("floor", "floor_layout", "admin_changelist", "documents.incoming_list", "search.incoming_title"):
        assert small[f"page.{key}.median_ms"] > 0
        assert small[f"page.{key}.queries"] >= 1
    assert "page.reception.detail.median_ms" in small and "page.seals.request_detail.median_ms" in small
    assert "page.visitors.case_list.median_ms" in small and "page.visitors.case_detail.median_ms" in small
    for role in ("principal_leader", "clerk", "department_staff", "auditor"):
        assert f"page.todo.{role}.median_ms" in small
        for tab in ("done", "started", "read"):
            assert small[f"page.todo.{tab}.{role}.queries"] <= 8
        assert small[f"page.todo.{role}.queries"] <= 8

    # Twice the rows: every list keeps the same number of queries.
    seed(0.002, seed=7, out=quiet)
    large = run.measure_pages(1, out=quiet)
    lists = [k for k in small if k.endswith(".queries") and ("_list" in k or k.startswith("page.search."))]
    assert lists
    assert {k: large[k] for k in lists} == {k: small[k] for k in lists}

    ratios, missed = evaluate(small)
    assert ratios["ratio.documents.incoming_list.vs_floor"] > 0
    assert "ratio.documents.incoming_list.vs_admin" in ratios
    assert isinstance(missed, list)


def test_routing_slips_and_writes_figures(tiny_volume):
    from django.db import connection

    from bench import run

    slips = run.measure_slips(1, batch=3, out=quiet)
    assert slips["slip.batch.count"] == 3
    assert slips["slip.single.median_ms"] > 0
    if connection.vendor != "postgresql":
        assert run.measure_writes(out=quiet) == {"writes.note": "skipped: needs PostgreSQL (set DATABASE_URL)"}


def test_load_generator_counts_requests_and_errors():
    """The bounded load generator against a throwaway local server (no gunicorn in the suite)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from bench import run

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            status = 404 if self.path.startswith("/missing") else 200
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        figures = run._drive(server.server_address[1], [("x", "/ok"), ("x", "/missing")], 0.5, 2)
    finally:
        server.shutdown()
    assert figures["requests"] > 0
    assert 0 < figures["errors"] < figures["requests"]
