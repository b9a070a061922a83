"""One "gunicorn worker" for test_cache.py: a process running the real settings (``township_office.settings``,
so the ``CACHES`` the environment gives) against a shared SQLite file, answering one command per line:

    setup     a person (陈晓) with three 待办, printed as "ok"
    count     the navigation's count for 陈晓 (``todo.total``, cached like on every page)
    assign    one more 待办 for 陈晓 (``worklist.assign``, which forgets the cached count), printed as "ok"
    backend   the cache backend's class name

It is not a test module: test_cache.py starts it with ``python -m township_office.tests.cache_worker``.
"""

import os
import sys


def main():
    os.environ["DJANGO_SETTINGS_MODULE"] = "township_office.settings"
    import django

    django.setup()
    from django.core.cache import caches

    from township_office import todo, worklist
    from township_office.models import Department, User

    def matter():
        department, _ = Department.objects.get_or_create(name="测试站")
        department.get_absolute_url = lambda: "/departments/test/"  # any record with a page can be a matter
        worklist.track(department, kind="测试")
        return department

    def person():
        return User.objects.get(username="chenxiao")

    for line in sys.stdin:
        command = line.strip()
        if command == "setup":
            user = User.objects.create_user("chenxiao", full_name="陈晓")
            obj = matter()
            for n in range(3):
                worklist.assign(obj, f"step{n}", label="待办", users=[user])
            answer = "ok"
        elif command == "count":
            answer = str(todo.total(person()))
        elif command == "assign":
            obj = matter()
            step = f"step{worklist.open_items(obj).count()}"
            worklist.assign(obj, step, label="待办", users=[person()])
            answer = "ok"
        elif command == "backend":
            answer = type(caches["default"]).__name__
        else:
            answer = f"unknown command {command!r}"
        print(answer, flush=True)


if __name__ == "__main__":
    main()
