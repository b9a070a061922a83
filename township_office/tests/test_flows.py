"""docs/flows.md is what ``manage.py flows`` prints, and it says what the declarations say."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command

from township_office import steps

DOC = Path(__file__).resolve().parents[2] / "docs" / "flows.md"


def test_docs_flows_is_the_commands_output():
    out = StringIO()
    call_command("flows", stdout=out)
    assert out.getvalue() == DOC.read_text(encoding="utf-8"), "重新生成：python manage.py flows > docs/flows.md"


def test_every_flow_and_step_is_in_the_diagrams():
    text = DOC.read_text(encoding="utf-8")
    for flow in steps.flows():
        if flow.model.__module__.startswith("tests."):
            continue
        assert f"## {flow.kind}（`{flow.model._meta.label}`）" in text
        for step in flow:
            assert f"| {step.label} | `{step.name}` |" in text
