from flask import Blueprint

bp = Blueprint("item_views", __name__)
