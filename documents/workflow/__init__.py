"""公文流转 as declared steps: 收文 (``incoming``) and 发文 (``outgoing``).

Each step below says who may take it from which state; ``incoming.available(document, user)`` lists what a
person may do now, and calling a step checks the same declaration first, inside the step's transaction
(see ``township_office.steps``). A step body changes the record (``steps.advance``), its grants
(``set_grants`` for the step's own permission: whoever leaves the step loses it) and the work items of the
people who must act next, all in that one transaction.

The steps live in ``incoming_steps`` (收文) and ``outgoing_steps`` (发文); this package exports both flows and
every step under its name (``workflow.incoming``, ``workflow.propose``, ``workflow.outgoing``, ``workflow.submit``…).
"""

from township_office.steps import Refused  # noqa: F401  (services raise it too)

from . import secret_steps  # noqa: F401  (密件登记: the flow of paper copies)
from .common import archive_code_for  # noqa: F401
from .incoming_steps import (  # noqa: F401
    _assign_archive,
    _assign_handling,
    _chase_targets,
    _handler_rule,
    _lead_rule,
    _my_copy,
    _reader_rule,
    _reassign_incoming,
    _send_copies,
    _shown,
    archive_incoming,
    assignments_of,
    chase,
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
    _after_countersign,
    _back_to_drafter,
    _countersign_rule,
    _drafter_rule,
    _need_text,
    _not_drafter,
    _not_own_draft,
    _opinion,
    _reassign_outgoing,
    _seals_api,
    _send_to,
    _signer_rule,
    _to_check,
    _to_clerks,
    _to_sign_off,
    archive_outgoing,
    check,
    check_return,
    check_roles,
    checkers_for,
    countersign,
    delivery_of,
    edit_draft,
    issue,
    new_seal_request_url,
    number,
    outgoing,
    pending_countersign,
    recheck,
    recipients_of,
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
