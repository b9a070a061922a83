"""What the 发文 page shows of the office's paper records (``documents/_paper.html``)."""

from django import template

from documents.models import OutgoingDocument

register = template.Library()


@register.simple_tag
def paper_records(document, opinions, deliveries):
    """{countersigned: paper 会签 opinions, waiting: departments whose paper 会签 is still to record (while the
    document waits for 会签), delivered / undelivered: the deliveries on paper} from what the page already read."""
    from documents.workflow.outgoing_steps import paper_countersign_pending

    waiting = []
    if document.status == OutgoingDocument.Status.COUNTERSIGN:
        waiting = list(paper_countersign_pending(document))
    paper = [d for d in deliveries if d.on_paper]
    return {
        "countersigned": [o for o in opinions if o.on_paper],
        "waiting": waiting,
        "delivered": [d for d in paper if d.signed_at],
        "undelivered": [d for d in paper if not d.signed_at],
        "any": bool(waiting or paper or any(o.on_paper for o in opinions)),
    }
