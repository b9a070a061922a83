from django.shortcuts import render

from township_office import permissions
from township_office.roles import OFFICE, has_role

from .models import Dossier


def visible_dossiers(user):
    """Office roles see every non-secret dossier; everyone else by grant; secret ones only by
    grant; never by the accused department."""
    from django.db.models import Q

    return permissions.visible(
        user,
        Dossier.objects.all(),
        "view",
        role_scope=Q(secrecy=Dossier.Secrecy.NONE) if has_role(user, *OFFICE) else None,
        hidden=Q(accused_department__in=permissions.department_ids(user)),
    )


def dossier_list(request):
    return render(request, "testapp/list.html", {"dossiers": visible_dossiers(request.user)})


def get_dossier_for_user(user, code):
    return permissions.get_for_user(user, visible_dossiers(user), code=code)


def dossier_page(request, dossier, *, bound=None, refusal=None, status=200):
    from township_office import steps

    from .workflow import dossiers

    context = {
        "dossiers": [dossier],
        **steps.page_context(dossiers, dossier, request.user, bound=bound, refusal=refusal),
    }
    return render(request, "testapp/list.html", context, status=status)


def dossier_detail(request, code):
    return dossier_page(request, get_dossier_for_user(request.user, code))


def dossier_step(request, code, name):
    from township_office.actions import step_view

    from .workflow import dossiers

    return step_view(dossiers, get_dossier_for_user, dossier_page)(request, code, name)
