from django.apps import AppConfig


class VisitorsConfig(AppConfig):
    name = "visitors"
    verbose_name = "来访与信访"

    def ready(self):
        from django.core.signals import request_started

        from township_office import navigation

        from . import daily

        # the embedded default has no beat: the first request after the report hour makes the morning PDFs
        request_started.connect(daily.on_request_started, dispatch_uid="visitors-daily-report")
        from township_office.roles import Role

        from .workflow import contacts

        navigation.register("来访登记", "visitors:contact_list", [Role.FRONT_DESK, Role.OFFICE_DIRECTOR], order=20)
        navigation.register(
            "信访事项",
            "visitors:case_list",
            [Role.FRONT_DESK, Role.OFFICE_DIRECTOR, Role.PRINCIPAL_LEADER, Role.DEPUTY_LEADER, Role.DEPARTMENT_STAFF],
            order=21,
        )
        navigation.register_quick("登记来访", contacts.start.url_name, contacts.start.roles, order=20)
        navigation.register_quick("登记来信", "visitors:letter_register", contacts.start.roles, order=21)
        navigation.register(
            "每日汇报", "visitors:daily_report", [Role.PRINCIPAL_LEADER, Role.OFFICE_DIRECTOR], order=22
        )
