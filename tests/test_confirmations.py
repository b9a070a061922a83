"""Every step that cannot be undone asks before it is taken (the form carries data-confirm; site.js asks)."""

import pytest

from documents import workflow as documents
from seals import workflow as seals
from visitors import workflow as visitors

# (flow, step): nothing takes these back once taken
IRREVERSIBLE = [
    (documents.incoming, "return_to_sender"),
    (documents.incoming, "instruct"),
    (documents.incoming, "complete"),
    (documents.incoming, "archive_incoming"),
    (documents.outgoing, "sign_off"),
    (documents.outgoing, "number"),
    (documents.outgoing, "seal"),
    (documents.outgoing, "issue"),
    (documents.outgoing, "archive_outgoing"),
    (visitors.contacts, "answer"),
    (visitors.cases, "accept"),
    (visitors.cases, "decline"),
    (visitors.cases, "instruct"),
    (visitors.cases, "approve_extension"),
    (visitors.cases, "reject_extension"),
    (visitors.cases, "reply"),
    (visitors.cases, "close"),
    (seals.requests, "approve_office"),
    (seals.requests, "approve_deputy"),
    (seals.requests, "approve_principal"),
    (seals.requests, "reject"),
    (seals.requests, "stamp"),
    (seals.requests, "void"),
]


@pytest.mark.parametrize(("flow", "name"), IRREVERSIBLE, ids=[f"{f.kind}.{n}" for f, n in IRREVERSIBLE])
def test_an_irreversible_step_asks_first(flow, name):
    confirm = flow[name].confirm
    assert confirm, f"{flow.kind}「{flow[name].label}」 takes effect without asking"
    assert isinstance(confirm, str) and confirm.endswith(("？", "吗？")) or callable(confirm)
