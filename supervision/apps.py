from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "督查督办"

    def ready(self):
        from township_office import navigation
        from township_office.roles import Role

        from .workflow import items

        navigation.register(
            "督查督办",
            "supervision:list",
            [Role.OFFICE_DIRECTOR, Role.CLERK, Role.PRINCIPAL_LEADER, Role.DEPUTY_LEADER, Role.DEPARTMENT_STAFF],
            order=50,
        )
        navigation.register_quick("督办立项", items.start.url_name, items.start.roles, order=50)
