"""Changes made in the Django admin are audit events with the fields before and after."""

import re

from django.urls import reverse

from seals.models import Seal
from township_office.models import AuditEvent, Department, IssuerCode, Township, User
from township_office.passwords import must_change_password


def _root(client):
    root = User.objects.create_superuser("root", password="x", full_name="管理员甲")
    client.force_login(root)
    return root


def _last():
    return AuditEvent.objects.order_by("-pk").first()


def test_issuer_code_change_records_before_and_after(client, township):
    root = _root(client)
    code = IssuerCode.objects.create(code="长试发", body=IssuerCode.Body.GOVERNMENT, description="政府发文")
    response = client.post(
        reverse("admin:township_office_issuercode_change", args=[code.pk]),
        {"code": "长试发", "body": "party", "description": "党委发文", "is_active": "on"},
    )
    assert response.status_code == 302
    event = _last()
    assert (event.action, event.actor, event.object_type) == ("系统管理：修改", root, "township_office.issuercode")
    assert "发文机关：政府 → 党委" in event.comment
    assert "说明：政府发文 → 党委发文" in event.comment
    assert "发文机关代字" not in event.comment.split("：", 1)[1]  # unchanged fields are not listed


def test_township_settings_and_department_changes_are_audited(client, township):
    _root(client)
    town = Township.objects.get()
    url = reverse("admin:township_office_township_change", args=[town.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}  # the form as shown, then one change
    data["fonds_code"] = "Z999"
    assert client.post(url, data).status_code == 302
    assert f"全宗号：{town.fonds_code} → Z999" in _last().comment

    department = Department.objects.get(name="财政所")
    data = {"name": "财政所", "kind": "station", "archive_code": "CZ", "phone": "0000", "sort_order": 5}
    assert (
        client.post(reverse("admin:township_office_department_change", args=[department.pk]), data).status_code == 302
    )
    event = _last()
    assert event.object_code == str(department.code)
    assert "启用：是 → 否" in event.comment and "联系电话" in event.comment


def test_roles_of_a_person_are_audited_and_new_accounts_must_change_password(client, township, people):
    _root(client)
    response = client.post(
        reverse("admin:township_office_user_add"),
        {
            "username": "wanghua",
            "full_name": "王华",
            "department": "",
            "password1": "Xiangzhen#2026",
            "password2": "Xiangzhen#2026",
            "position-TOTAL_FORMS": "0",
            "position-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="wanghua")
    event = _last()
    assert event.action == "系统管理：新增" and "姓名：王华" in event.comment and "Xiangzhen" not in event.comment
    assert must_change_password(user)


def test_admin_password_reset_is_audited_and_forces_a_change(client, township, clerk):
    _root(client)
    url = reverse("admin:auth_user_password_change", args=[clerk.pk]).replace("auth/user", "township_office/user")
    response = client.post(url, {"password1": "Chongzhi#2026", "password2": "Chongzhi#2026", "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _last().action == "系统管理：重置密码"
    assert must_change_password(clerk)


def test_seal_registered_by_the_seals_app_is_audited_too(client, township, seal_keeper, clerk):
    _root(client)
    seal = Seal.objects.create(name="测试专用章", kind=Seal.Kind.OFFICE, tier=Seal.Tier.OFFICE)
    seal.custodians.add(seal_keeper)
    url = reverse("admin:seals_seal_change", args=[seal.pk])
    page = client.get(url).content.decode()
    data = {"name": "测试专用章", "kind": "office", "tier": "3", "department": "", "status": "in_use"}
    data["custodians"] = [str(seal_keeper.pk), str(clerk.pk)]
    for prefix in set(re.findall(r'name="([\w-]+)-TOTAL_FORMS"', page)):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    assert client.post(url, data).status_code == 302
    event = _last()
    assert event.object_type == "seals.seal" and event.action == "系统管理：修改"
    assert event.comment == f"印章：保管人：{seal_keeper} → {'、'.join(sorted([str(seal_keeper), str(clerk)]))}"
