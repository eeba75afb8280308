"""Batch, scheduled and distributed work (Celery when a broker is configured, in-process otherwise)."""
