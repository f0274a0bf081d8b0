"""The Atom 1.0 feed (RFC 4287) of the public portal: published items, and withdrawn ones saying so."""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from flask_babel import gettext as _

from . import labels
from .workflow import PubState

ATOM = "http://www.w3.org/2005/Atom"


def _time(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def atom(entries, *, self_url: str, home_url: str, entry_url) -> bytes:
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "zh-CN"})

    def sub(parent, tag, text=None, **attrs):
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    sub(root, "id", self_url)
    sub(root, "title", _("监督信息公开"))
    sub(root, "subtitle", _("人大常委会与人民检察院监督衔接工作的公开信息"))
    sub(root, "link", rel="self", type="application/atom+xml", href=self_url)
    sub(root, "link", rel="alternate", type="text/html", href=home_url)
    changed = [p.withdrawn_at or p.published_at for p in entries]
    sub(root, "updated", _time(max(changed)) if changed else "2026-01-01T00:00:00Z")
    author = sub(root, "author")
    sub(author, "name", _("监督信息公开"))
    for pub in entries:
        url = entry_url(pub)
        entry = sub(root, "entry")
        sub(entry, "id", url)
        withdrawn = pub.state is PubState.WITHDRAWN
        title = f"{_('【已撤回】')}{pub.title}" if withdrawn else pub.title
        sub(entry, "title", title)
        sub(entry, "link", rel="alternate", type="text/html", href=url)
        sub(entry, "published", _time(pub.published_at))
        sub(entry, "updated", _time(pub.withdrawn_at or pub.published_at))
        sub(entry, "category", term=pub.kind.value, label=labels.kind(pub.kind))
        if withdrawn:
            sub(entry, "summary", _("该信息已于 %(d)s 撤回。%(reason)s", d=_time(pub.withdrawn_at)[:10],
                                    reason=pub.withdrawn_reason or ""), type="text")
        else:
            sub(entry, "summary", pub.summary or pub.title, type="text")
            if pub.body:
                sub(entry, "content", pub.body, type="text")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
