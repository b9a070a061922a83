from django.apps import AppConfig


class ReceptionConfig(AppConfig):
    name = "reception"
    verbose_name = "公务接待"

    def ready(self):
        from township_office import navigation
        from township_office.roles import Role

        from .workflow import plans

        navigation.register(
            "公务接待",
            "reception:list",
            [Role.OFFICE_DIRECTOR, Role.CLERK, Role.PRINCIPAL_LEADER, Role.DEPUTY_LEADER, Role.DEPARTMENT_STAFF],
            order=40,
        )
        navigation.register_quick("新建接待", plans.start.url_name, plans.start.roles, order=40)
        navigation.register(
            "接待日历",
            "reception:calendar",
            [Role.OFFICE_DIRECTOR, Role.CLERK, Role.PRINCIPAL_LEADER, Role.DEPUTY_LEADER],
            order=41,
        )
