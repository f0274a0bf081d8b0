"""Flask extensions, created unbound and initialised in `create_app`."""
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from .db import db

babel = Babel()
login_manager = LoginManager()
migrate = Migrate()
csrf = CSRFProtect()

__all__ = ["babel", "csrf", "db", "login_manager", "migrate"]
