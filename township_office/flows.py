"""Every declared flow as text: its states and steps, who may take each and from which states (``manage.py flows``).

``docs/flows.md`` is this module's output, and a test fails when they differ: the diagrams are generated from the
declarations, never drawn by hand.
"""

from .roles import Role
from .steps import flows


def _state_id(value):
    return "s_" + "".join(c if c.isalnum() else "_" for c in str(value))


def _who(step):
    parts = []
    if callable(step.roles):
        parts.append(f"角色由 `{step.roles.__name__}` 按记录决定")
    elif step.roles:
        parts.append("、".join(Role(r).label for r in step.roles))
    if step.grant:
        parts.append(f"持有对象权限 `{step.grant}`")
    if step.rule is not None:
        name = getattr(step.rule, "__name__", "rule")
        parts.append("另按规则判断" if name == "<lambda>" else f"另按规则 `{name}`")
    return "；".join(parts)


def _work(step):
    if not step.work:
        return ""
    work = "按记录决定" if callable(step.work) else step.work
    return f"{work}（阅件）" if step.reading else work


def describe(flow):
    """One flow as Markdown: a Mermaid state diagram and the table of its steps."""
    field = flow.model._meta.get_field(flow.status_field)
    labels = dict(field.flatchoices)
    lines = [f"## {flow.kind}（`{flow.model._meta.label}`）", ""]
    if flow.start is not None:
        who = "、".join(Role(r).label for r in flow.start.roles)
        lines += [f"新建：「{flow.start.label}」，{who}。", ""]
    lines += ["```mermaid", "stateDiagram-v2"]
    for value, label in labels.items():
        lines.append(f"    {_state_id(value)} : {label}")
    default = field.default if not callable(field.default) else None
    if default in labels:
        lines.append(f"    [*] --> {_state_id(default)}")
    for step in flow:  # steps that keep the state (更正登记, 催办) are in the table only
        for source in step.source:
            for target in step.target:
                lines.append(f"    {_state_id(source)} --> {_state_id(target)} : {step.label}")
    lines += ["```", "", "| 步骤 | 代码名 | 从 | 到 | 谁可以办理 | 待办 |", "|---|---|---|---|---|---|"]
    for step in flow:
        source = "、".join(str(labels.get(s, s)) for s in step.source)
        target = "、".join(str(labels.get(t, t)) for t in step.target) or "（不变）"
        lines.append(f"| {step.label} | `{step.name}` | {source} | {target} | {_who(step)} | {_work(step)} |")
    lines.append("")
    return "\n".join(lines)


def document():
    """docs/flows.md: every flow, ordered by its model's label."""
    head = [
        "# 流程图（由 `manage.py flows` 生成，勿手工修改）",
        "",
        "Each workflow's states and steps as the code declares them (township_office/steps.py): who may take each",
        "step, from which states, and the work item it is for someone. Regenerate with",
        "`python manage.py flows > docs/flows.md`; a test fails when this page and the declarations differ.",
        "",
    ]
    shown = [f for f in flows() if not f.model.__module__.startswith("tests.")]  # not the test suite's own flow
    body = [describe(flow) for flow in sorted(shown, key=lambda f: f.model._meta.label)]
    return "\n".join(head + body)
