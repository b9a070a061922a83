from django.apps import AppConfig


class SealsConfig(AppConfig):
    name = "seals"
    verbose_name = "印信管理"

    def ready(self):
        from township_office import navigation
        from township_office.roles import Role

        from .workflow import requests

        users = [
            Role.PRINCIPAL_LEADER,
            Role.DEPUTY_LEADER,
            Role.OFFICE_DIRECTOR,
            Role.CLERK,
            Role.SEAL_KEEPER,
            Role.DEPARTMENT_STAFF,
        ]
        navigation.register("用印", "seals:request_list", users, order=30)
        navigation.register_quick("申请用印", requests.start.url_name, requests.start.roles, order=30)
        navigation.register("介绍信", "seals:letter_list", users, order=31)
        navigation.register("用印登记簿", "seals:register", [Role.SEAL_KEEPER, Role.OFFICE_DIRECTOR], order=32)
