"""gunicorn settings from the environment: ``gunicorn -c python:screening.web.gunicorn_conf wsgi:app``.

SCREENING_BIND (default 127.0.0.1:8000), SCREENING_WORKERS (default 2),
SCREENING_THREADS (default 4), SCREENING_TIMEOUT (seconds, default 120).
"""

import os

bind = os.environ.get("SCREENING_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("SCREENING_WORKERS", "2"))
threads = int(os.environ.get("SCREENING_THREADS", "4"))
timeout = int(os.environ.get("SCREENING_TIMEOUT", "120"))
graceful_timeout = 30
# Load the app (and its list index) in each worker, not in the master: a new
# list version is then picked up per worker without a restart.
preload_app = False
accesslog = "-"
