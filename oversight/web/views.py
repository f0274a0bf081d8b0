from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template
from flask_login import current_user

from ..db import db
from .security import public

bp = Blueprint("web", __name__)


@bp.get("/")
def home():
    from ..accounts.models import Role
    from ..workdays import today
    from ..workdays.queries import provisional_years

    user = current_user
    admin_warnings = []
    if user.has_role(Role.SYSTEM_ADMIN):
        admin_warnings = provisional_years(today())
    return render_template("home.html", roles=sorted(user.roles, key=lambda r: list(Role).index(r)),
                           provisional_years=admin_warnings, Role=Role)


@bp.get("/healthz")
@public
def health():
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
