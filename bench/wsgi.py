"""WSGI entry for gunicorn in the benchmark (bench settings: production settings plus the floor view)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
application = get_wsgi_application()
