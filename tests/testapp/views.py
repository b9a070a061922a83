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


def dossier_detail(request, code):
    dossier = permissions.get_for_user(request.user, visible_dossiers(request.user), code=code)
    return render(request, "testapp/list.html", {"dossiers": [dossier]})
