"""Entry point for gunicorn: ``gunicorn wsgi:app``."""

from screening.web import create_app

app = create_app()
