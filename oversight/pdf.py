"""The one PDF function (STYLE.md §13): a Jinja template in, WeasyPrint bytes out.

Every PDF the product makes — issued lists, minutes, periodic reports — goes through `render_pdf`,
so fonts, the classification header, page numbers and the offline rule are decided once. The URL
fetcher serves files from `static/` only: a template can never make the renderer call out.
"""
from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlparse

from flask import current_app, render_template

# Noto CJK from Debian's fonts-noto-cjk (STACK.md). The page and every SVG name it explicitly.
PDF_FONT_FAMILY = '"Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif'


class ExternalResourceRefused(ValueError):
    """A template asked for something outside static/ (a remote URL or another file)."""


def _static_fetcher(url: str) -> dict:
    static = Path(current_app.static_folder).resolve()
    parsed = urlparse(url)
    if parsed.scheme in ("", "file") and parsed.path.startswith(("/static/", str(static))):
        relative = parsed.path.split("/static/", 1)[1] if "/static/" in parsed.path else ""
        path = (static / unquote(relative)).resolve()
        if path.is_relative_to(static) and path.is_file():
            return {"string": path.read_bytes(),
                    "mime_type": mimetypes.guess_type(path.name)[0] or "application/octet-stream"}
    if parsed.scheme == "data":
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url)
    raise ExternalResourceRefused(url)


def render_pdf(template: str, **context) -> bytes:
    """Render `templates/<template>` (which extends `pdf/base.html`) to PDF bytes.

    The context may set `title`, `classification` (shown in every page header, e.g. 内部资料 注意保密)
    and `document_number`. Needs an application context.
    """
    from weasyprint import HTML  # imported late: pango is only needed by whoever renders

    context.setdefault("pdf_font_family", PDF_FONT_FAMILY)
    html = render_template(template, **context)
    base_url = Path(current_app.static_folder).resolve().as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=_static_fetcher).write_pdf()
