"""Helpers shared by every form-handling view."""
from __future__ import annotations

from flask import flash

from ..errors import ValidationFailed


def apply_errors(form, exc: ValidationFailed) -> None:
    """Attach a service's validation errors to the form's fields (or flash the general ones)."""
    for field_name, message in exc.errors.items():
        field = getattr(form, field_name, None) if field_name else None
        if field is not None and hasattr(field, "errors"):
            if isinstance(field.errors, tuple):
                field.errors = list(field.errors)
            field.errors.append(message)
        else:
            flash(message, "error")
