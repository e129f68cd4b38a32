"""WSGI entry point: gunicorn wsgi:app, or flask run."""

from speeddate import create_app

app = create_app()
