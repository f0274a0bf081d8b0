"""One place where domain errors and HTTP errors become pages (Chinese first) or JSON."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from ..db import db
from ..errors import DomainError


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (_("请求有误"), _("提交的内容无法处理，请检查后重试。")),
        403: (_("无权访问"), _("您没有执行此操作的权限。如需开通，请联系本单位系统管理员。")),
        404: (_("页面不存在"), _("您要找的页面或记录不存在，或您无权查看。")),
        405: (_("请求方式不被允许"), _("该页面不支持这种操作方式。")),
        409: (_("操作冲突"), _("该记录已被他人修改，请刷新后重试。")),
        413: (_("文件过大"), _("上传的内容超过了允许的大小。")),
        422: (_("内容不符合要求"), _("提交的内容不符合要求，请修改后重试。")),
        500: (_("系统错误"), _("系统发生内部错误，已记录。请稍后重试，或联系系统管理员。")),
        503: (_("系统繁忙"), _("系统暂时繁忙，请稍后重试。")),
    }


def _wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status: int, message: str | None = None):
    title, default = _titles().get(status, _titles()[500])
    message = message or default
    if _wants_json():
        return jsonify(error={"status": status, "title": title, "message": message}), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        return error_response(exc.status, exc.message)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return error_response(400, _("页面已过期或来源无法验证，请返回刷新页面后重新提交。"))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code in (400, 403, 404, 405, 409, 413, 422, 503):
            return error_response(exc.code)
        return exc

    @app.errorhandler(OperationalError)
    def database_busy(exc: OperationalError):
        db.session.rollback()
        if "locked" in str(exc.orig).lower():
            return error_response(503)
        app.logger.exception("database error")
        return error_response(500)

    @app.errorhandler(500)
    def server_error(exc):
        db.session.rollback()
        return error_response(500)
