"""gunicorn's settings for the web app, read from the working directory by ``gunicorn
township.wsgi`` (the Docker image, docker-compose and ``bench/pages.py`` all start it so).

Chosen by measurement on a 2-core machine with PostgreSQL beside the app
(``bench/pages.py --gunicorn``, 50,000 households, 4 connections, two rounds): sync
workers, one request each at a time. Three processes of two threads, the earlier setting,
were 1.3 to 2 times slower on most pages (p50 of the staff visit list 91 and 96 ms against
43 and 63 with two sync workers; a county's archive card 136 and 87 against 76 and 83): a
thread back from the database waits for the other to give up the interpreter. Three sync
workers did no better than two on two cores. ``WEB_CONCURRENCY`` sets the number on a
larger machine (about one per core).
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
# Django, the apps and every view are loaded once, in the master, before the workers fork
# (township/wsgi.py loads the URLs and freezes what it loaded): a worker replaced after its
# requests below starts at once, and the workers share those pages of memory. Nothing in
# the loading opens a database or Redis connection (tests/township/test_wsgi.py).
preload_app = True
# No page does long work (reports, exports and imports run in the Celery worker): a request
# past 30 s is killed.
timeout = 30
graceful_timeout = 30
keepalive = 5
# A worker is replaced after about ten thousand requests, so that no slow growth of memory
# accumulates (none was seen: a worker stayed at 115-116 MB over 3,300 requests of the
# busiest pages). Each replacement opens a new database connection and compiles its
# templates again: replaced every thousand requests, a worker under the bench's load was
# replaced every few seconds, and the p95 of the quick pages rose by half (the login page
# 13.5 and 17.2 ms against 23.0 and 18.4; /healthz 5.5 and 5.0 against 11.1 and 7.5).
max_requests = 10000
max_requests_jitter = 1000
accesslog = "-"
