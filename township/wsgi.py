import gc
import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "township.settings")

application = get_wsgi_application()

# The URLs, and with them every view and what the views import (the PDF and spreadsheet
# libraries among them), loaded now and not by the first request a worker serves: that
# request took 1.5 s, and the requests queued behind it as long, each time gunicorn started
# or replaced a worker.
import_module(settings.ROOT_URLCONF)

# Everything loaded so far (Django, the apps, the URLs) lives as long as the process: moved
# out of the garbage collector's reach, so that its full collections stop walking it. They
# took about 100 ms every fifteen requests of a county's village pages, the slowest of
# their requests.
gc.freeze()
