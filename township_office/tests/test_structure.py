"""The core's shape: its modules import each other in one direction only (no circle, not even through an import
inside a function), and the step machinery keeps no hidden state in context variables."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "township_office"


def _module_name(path):
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).parts
        if relative[0] in ("tests", "migrations"):
            continue
        yield _module_name(path), path


def _imports(name, path, known):
    """The core modules ``name`` imports anywhere in its text (module level or inside a function)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}  # from . import worklist
    return {m for m in found if m in known and m != name}


def _circles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return circles


def test_no_import_circle_among_the_core_modules():
    modules = dict(_modules())
    packages = {n for n, p in modules.items() if p.name == "__init__.py"}
    graph = {name: _imports(name, path, set(modules)) - packages for name, path in modules.items()}
    assert len(graph) > 30  # the walk found the core
    assert _circles(graph) == []


def test_the_circle_finder_finds_a_circle():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_step_machinery_keeps_no_context_variables():
    """What a step did is read from its ``run``, never from context variables (the client address of the audit log,
    request-scoped, is the one context variable of the core)."""
    for name in ("steps.py", "worklist.py"):
        assert "ContextVar" not in (ROOT / name).read_text(encoding="utf-8"), name
    audit = (ROOT / "audit.py").read_text(encoding="utf-8")
    assert audit.count("ContextVar(") == 1 and "client_address: ContextVar" in audit


def test_no_label_is_written_when_work_is_given():
    """A work item's label comes from its step's declaration (``work=``), never written a second time: the apps
    give work only through ``run.hand_to`` (which takes no label), never through the worklist's own ``assign``."""
    import re

    for app in ("documents", "visitors", "seals", "reception", "supervision"):
        for path in (ROOT.parent / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"worklist\.(assign|hand_to)\(", text), path
            if path.stem in ("workflow", "services") or path.parent.name == "workflow":  # forms have field labels
                assert not re.search(r"\blabel=", text), path
