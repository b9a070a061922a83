"""Volume generators: one module per app, each skipped with a note when its models are not installed."""

import importlib
import time

from django.apps import apps

# app label → module with ``generate(scale, rng, out)`` (out: print function); order matters: the work items
# (``worklist``, the core's) are derived from the records and grants the apps' generators made.
GENERATORS = ["documents", "visitors", "seals", "reception", "worklist"]


def _ready(label):
    """An app is ready when its models exist (the other engineers land them over time)."""
    if label == "worklist":
        return True
    return apps.is_installed(label) and bool(list(apps.get_app_config(label).get_models()))


def attachment(name, content):
    """Store ``content`` as the file ``name`` in the media storage unless it is there: the generated records name a
    few shared files (one per year), which must exist for their detail pages to show them as an office would."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(content))
        assert saved == name, saved
    return name


def seed(scale, *, seed=2026, out=print):
    """Create the organisation and scale × ten years of records; returns {app: rows created or a note}."""
    import random

    from township_office.demo import seed_organisation

    seed_organisation()
    rng = random.Random(seed)
    summary = {}
    for label in GENERATORS:
        try:
            module = importlib.import_module(f"bench.volume.{label}")
        except ImportError:
            module = None
        if not _ready(label) or module is None:
            note = f"skipped: the {label} app has no models yet" if module else f"skipped: no generator for {label}"
            out(f"  {label}: {note}")
            summary[label] = note
            continue
        started = time.perf_counter()
        counts = module.generate(scale, rng, out)
        out(f"  {label}: {counts} in {time.perf_counter() - started:.1f} s")
        summary[label] = counts
    return summary
