"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""
from oversight import create_app

app = create_app()
