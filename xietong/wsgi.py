"""WSGI entry point.

The sealing keys are checked against the database before the first request (the system
check does the same for ``runserver`` and every command): a missing or wrong key stops the
worker from starting, with what to do.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xietong.settings")
application = get_wsgi_application()

from xietong.core import sealing  # noqa: E402  (after Django is set up)

sealing.require_keys()
