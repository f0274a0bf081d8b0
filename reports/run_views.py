"""Report runs, schedules and the archive (filled in below)."""
from flask import Blueprint

bp = Blueprint("report_runs", __name__, url_prefix="/reports")
