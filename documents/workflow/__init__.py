"""公文流转 as declared steps: 收文 (``incoming``) and 发文 (``outgoing``).

Each step below says who may take it from which state; ``incoming.available(document, user)`` lists what a
person may do now, and calling a step checks the same declaration first, inside the step's transaction
(see ``township_office.steps``). A step body acts through the ``run`` it is given: it changes the record
(``run.advance``), hands the next step to the people who must take it (``run.hand_to``: the step's grant and
work item, as that step declares them) and tells people (``run.notify``), all in that one transaction.

The steps live in ``incoming_steps`` (收文) and ``outgoing_steps`` (发文); this package exports both flows and
every step and public helper under its name (``workflow.incoming``, ``workflow.propose``, ``workflow.outgoing``, ``workflow.submit``…).
"""

from township_office.steps import Refused  # noqa: F401  (services raise it too)

from . import secret_steps  # noqa: F401  (密件登记: the flow of paper copies)
from .common import archive_code_for  # noqa: F401
from .incoming_steps import (  # noqa: F401
    archive_incoming,
    assignments_of,
    chase,
    chase_targets,
    circulations_of,
    complete,
    correct,
    correctors,
    escalation_targets,
    incoming,
    instruct,
    mark_read,
    propose,
    register,
    report_progress,
    return_to_sender,
)
from .outgoing_steps import (  # noqa: F401
    archive_outgoing,
    check,
    check_return,
    check_roles,
    checkers_for,
    countersign,
    countersign_on_paper,
    delivery_of,
    edit_draft,
    issue,
    keep_version,
    number,
    outgoing,
    paper_countersign_pending,
    paper_deliveries_pending,
    pending_countersign,
    recheck,
    recipients_of,
    record_paper_delivery,
    request_seal,
    review,
    review_return,
    reviewers_for,
    seal,
    seal_requests_for,
    sign_for,
    sign_off,
    sign_off_return,
    signers_for,
    skip_countersign,
    start_draft,
    submit,
    withdraw,
)
