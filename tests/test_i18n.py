"""The English catalog: every message the code and templates use has a reviewed English translation
with the same placeholders, and the language switch turns the pages English.

Message ids are the Chinese UI text. After adding or changing a string, run `scripts/i18n` and
translate what it lists in translations/en/LC_MESSAGES/messages.po.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")
# A %-format conversion as Python's `%` operator (and Jinja's new-style gettext) reads it.
FORMAT = re.compile(r"%(?:\((?P<name>[^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"
                    r"(?P<conv>[diouxXeEfFgGcrsa%])")


def _read_catalog(path: Path):
    with path.open("rb") as f:
        return read_po(f, locale="en")


def compile_english_catalog() -> bool:
    """Compile messages.po into messages.mo when the .mo is missing or older; True if it did.
    The .mo is not committed (scripts/run and scripts/test compile it too)."""
    if MO.exists() and MO.stat().st_mtime >= PO.stat().st_mtime:
        return False
    catalog = _read_catalog(PO)
    fd, tmp = tempfile.mkstemp(dir=MO.parent, prefix=".messages-", suffix=".mo")
    try:
        with os.fdopen(fd, "wb") as f:
            write_mo(f, catalog, use_fuzzy=False)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; it is an ordinary build product
        os.replace(tmp, MO)  # atomic: a concurrent run never reads half a file
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


@pytest.fixture(scope="session")
def english_catalog() -> Path:
    if compile_english_catalog():
        # Flask-Babel caches catalogs per locale for the life of the process; if an earlier test
        # rendered English before the .mo existed, it cached an empty catalog. Forget it.
        from oversight.extensions import babel

        if "domain_instance" in vars(babel):
            babel.domain_instance.cache.clear()
    return MO


@pytest.fixture(scope="session")
def extracted(tmp_path_factory):
    """The messages the sources use now, extracted exactly as scripts/i18n extracts them."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    env = dict(os.environ)
    pybabel = Path(sys.executable).with_name("pybabel")
    if pybabel.exists():
        env["PYBABEL"] = str(pybabel)
    elif shutil.which("pybabel") is None:
        pytest.fail("pybabel is not installed next to this Python or on PATH (install Babel)")
    result = subprocess.run(["bash", str(ROOT / "scripts" / "i18n"), "--pot", str(pot)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"scripts/i18n --pot failed:\n{result.stdout}\n{result.stderr}"
    with pot.open("rb") as f:
        return read_po(f)


def _forms(value) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def _where(message) -> str:
    return ", ".join(f"{path}:{line}" for path, line in message.locations[:3]) or "?"


# --- (a) everything is translated -----------------------------------------------------------------

def test_every_extracted_message_has_an_english_translation(extracted):
    catalog = _read_catalog(PO)
    problems = []
    for message in extracted:
        if not message.id:
            continue
        translated = catalog.get(message.id)
        key = _forms(message.id)[0]
        if translated is None:
            problems.append(f"missing      {key!r}  ({_where(message)})")
        elif translated.fuzzy:
            problems.append(f"fuzzy        {key!r}  ({_where(message)})")
        elif not all(form.strip() for form in _forms(translated.string)):
            problems.append(f"untranslated {key!r}  ({_where(message)})")
        elif CJK.search(key) and key in _forms(translated.string):
            problems.append(f"copied as is {key!r}  ({_where(message)})")
    assert not problems, (
        f"{len(problems)} message(s) lack an English translation in {PO.relative_to(ROOT)}.\n"
        "Run scripts/i18n, translate these, and run it again:\n  " + "\n  ".join(problems))


def test_catalog_has_no_fuzzy_or_empty_entries():
    catalog = _read_catalog(PO)
    assert not catalog.fuzzy, "the catalog header is marked fuzzy"
    bad = [_forms(m.id)[0] for m in catalog if m.id and (m.fuzzy or not all(_forms(m.string)))]
    assert not bad, f"fuzzy or empty entries in {PO.name}: {bad}"


# --- (b) placeholders survive translation -----------------------------------------------------------

def _signature(text: str):
    """What formatting reads from `text`: named conversions (any order), unnamed ones (in order),
    literal %% and stray % signs (a stray % in a template string breaks rendering)."""
    named, unnamed, percent = Counter(), [], 0
    for m in FORMAT.finditer(text):
        if m.group("conv") == "%" and m.group("name") is None:
            percent += 1
        elif m.group("name") is not None:
            named[m.group(0)] += 1
        else:
            unnamed.append(m.group(0))
    stray = FORMAT.sub("", text).count("%")
    return named, unnamed, percent, stray


def test_placeholders_match_between_msgid_and_translation():
    catalog = _read_catalog(PO)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids, strings = _forms(message.id), _forms(message.string)
        if len(ids) == 1:
            pairs = [(ids[0], s) for s in strings]
        else:  # plural: the singular form may drop the number, but adds nothing of its own
            allowed = set(_signature(ids[0])[0]) | set(_signature(ids[1])[0])
            for s in strings:
                extra = set(_signature(s)[0]) - allowed
                if extra or _signature(s)[3]:
                    problems.append(f"{ids[0]!r} → {s!r}: unknown {sorted(extra)} or stray %")
            pairs = [(ids[1], strings[-1])]
        for source, target in pairs:
            if _signature(source) != _signature(target):
                problems.append(f"{source!r} → {target!r}")
    for message, errors in catalog.check():  # Babel's own python-format and plural checks
        problems.extend(f"{_forms(message.id)[0]!r}: {error}" for error in errors)
    assert not problems, "placeholders differ between msgid and msgstr:\n  " + "\n  ".join(problems)


def test_signature_helper_sees_what_formatting_sees():
    assert _signature("%(n)d 条未读") == _signature("%(n)d unread")
    assert _signature("第 %(n)d 行与第 %(m)d 行") == _signature("line %(m)d repeats line %(n)d")
    assert _signature("%(n)d 条") != _signature("%(n)s items")
    assert _signature("%(n)d 条") != _signature("%(count)d items")
    assert _signature("完成 50%%") != _signature("50% done")


# --- (c) the switch turns pages English -------------------------------------------------------------

def _chinese_left(html: str, allowed: set[str]) -> list[str]:
    """Runs of Chinese characters (and full-width punctuation) in the page that are not data."""
    return sorted({run for run in CJK.findall(html) if run not in allowed})


def test_login_page_is_chinese_by_default_and_english_after_switching(client, english_catalog):
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert "登录" in html

    response = client.post("/language/en", data={"next": "/login"})
    assert response.status_code == 302 and response.location.endswith("/login")

    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Log in" in html
    assert "Username" in html and "Password" in html
    # Everything is English except the switch back, which names its language in that language.
    assert _chinese_left(html, {"中文"}) == []

    client.post("/language/zh_CN", data={"next": "/login"})
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and "登录" in html


def test_logged_in_pages_render_in_english_after_switching(world, client, login, english_catalog):
    login(world.staff)
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)

    client.post("/language/en", data={"next": "/"})
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Dashboard" in html and "Log out" in html and "NPC liaison staff" in html
    data = {"中文", world.body.name, world.body.short_name, world.staff.display_name}
    assert _chinese_left(html, data) == []


def test_a_language_chosen_on_the_login_page_survives_logging_in(world, client, login, english_catalog):
    client.post("/language/en", data={"next": "/login"})
    login(world.staff)
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    # …and is remembered for the next login on another device.
    client.post("/logout")
    other = client.application.test_client()
    other.post("/login", data={"username": world.staff.username, "password": "Test-password-2026"})
    assert '<html lang="en">' in other.get("/").get_data(as_text=True)
