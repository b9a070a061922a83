from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "公文流转"

    def ready(self):
        from township_office import navigation
        from township_office.roles import Role

        from .workflow import incoming, outgoing
        from .workflow.secret_steps import secret

        everyone_but_it = [
            r for r in Role.values if r not in (Role.SYSTEM_ADMIN, Role.AUDITOR, Role.FRONT_DESK, Role.SEAL_KEEPER)
        ]
        navigation.register("收文", "documents:incoming_list", everyone_but_it, order=10)
        navigation.register("发文", "documents:outgoing_list", everyone_but_it, order=11)
        navigation.register("下发文件", "documents:received_list", [Role.DEPARTMENT_STAFF], order=12)
        for flow, order in ((incoming, 10), (outgoing, 11)):
            navigation.register_quick(flow.start.label, flow.start.url_name, flow.start.roles, order=order)
        # 密件登记: the office keeps it; anyone who may be handed a paper copy sees the copies they hold or held
        navigation.register("密件登记", "documents:secret_list", everyone_but_it, order=12)
        navigation.register_quick(secret.start.label, secret.start.url_name, secret.start.roles, order=12)
