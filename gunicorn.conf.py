"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py yorisoi.wsgi`.

Every value can be set from the environment, so one file serves a small VM and a bigger host.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Two processes per core is gunicorn's own advice; more threads per process let a streamed
# role-play reply (which holds its thread until the model is done) leave room for other pages.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# A listening socket per worker (SO_REUSEPORT), so that the kernel spreads new connections
# over the workers evenly. On one shared socket a kept-alive connection stays with whichever
# worker accepted it, and they pile up: in one benchmark run one worker held all ten connections
# while the other sat idle (bench/server.py's worker_balance). On Linux, also set
# net.ipv4.tcp_migrate_req=1, so that connections waiting for a worker being recycled move to
# another instead of being reset.
reuse_port = os.environ.get("GUNICORN_REUSE_PORT", "true").lower() != "false"
# Longer than the model's deadline (YORISOI_LLM_TIMEOUT, 20 s) so a slow reply is ended by us,
# with its fallback line, rather than by gunicorn killing the worker mid-stream.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never takes a site down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
# The access log has paths and statuses only; request bodies (learner text) are never logged.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
