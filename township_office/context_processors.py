from django.utils.functional import SimpleLazyObject

from . import navigation as nav
from . import notifications, todo
from .models import Township
from .roles import Role, roles_of

_township_names = {}


def township_names():
    """The office's names, read once per process (cleared when the township is saved)."""
    if not _township_names:
        township = Township.current()
        _township_names.update(
            office=township.office_name if township else "党政办公室",
            township=township.name if township else "",
        )
    return _township_names


def _forget_township_names(**kwargs):
    _township_names.clear()


def navigation(request):
    """Navigation fitting the user's roles, with the 待办 and unread counts."""
    user = request.user
    if not user.is_authenticated:
        return {"office_name": township_names()["office"]}
    return {
        "office_name": township_names()["office"],
        "nav_entries": SimpleLazyObject(lambda: nav.entries_for(user, request.path)),
        "nav_todo_count": SimpleLazyObject(lambda: todo.label(todo.total(user))),
        "nav_unread_count": SimpleLazyObject(lambda: notifications.unread_count(user)),
        "user_roles": SimpleLazyObject(lambda: [Role(r).label for r in sorted(roles_of(user))]),
    }
