"""A guarded model used only by the foundation's tests of the permission API."""

import uuid

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class Dossier(models.Model):
    class Secrecy(models.TextChoices):
        NONE = "none", "无"
        SECRET = "secret", "秘密"

    class Status(models.TextChoices):
        OPEN = "open", "办理中"
        DONE = "done", "已办结"

    code = models.UUIDField(default=uuid.uuid4, unique=True)
    title = models.CharField(max_length=100)
    secrecy = models.CharField(max_length=10, choices=Secrecy.choices, default=Secrecy.NONE)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    accused_department = models.ForeignKey("township_office.Department", null=True, on_delete=models.PROTECT)

    class Meta:
        permissions = [("handle_dossier", "Can handle dossier")]

    def __str__(self):
        return self.title


class DossierUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Dossier, on_delete=models.CASCADE)


class DossierGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Dossier, on_delete=models.CASCADE)


def _dossier_url(self):
    from django.urls import reverse

    return reverse("dossier_detail", args=[self.code])


Dossier.get_absolute_url = _dossier_url
