"""Prometheus metrics: counters and histograms recorded by the web and worker processes, gauges read
from the database at scrape time, and the protected `/metrics` view.

Multi-process model (gunicorn workers, Celery prefork children):
- Counters and histograms use prometheus-client's multiprocess mode when PROMETHEUS_MULTIPROC_DIR is set
  (one directory per host, emptied before the processes start): every process writes its own mmap file
  and a scrape sums them. Without it (tests, `make run`) they live in the process's default registry.
- Everything that is a *state* of the system (outbox rows by state, age of the oldest queued row,
  invitations and grants by state) is counted from the database at scrape time, so any web process
  answers the same, whichever processes did the work.
"""
