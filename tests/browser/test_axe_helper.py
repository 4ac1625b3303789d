"""The axe helper itself: it must find what it is meant to find, and say it readably (a helper
that never fails proves nothing). No server and no database: the page is set directly."""

import pytest

from .axe import assert_accessible, axe_violations

pytestmark = pytest.mark.browser

BROKEN = """<!DOCTYPE html>
<html lang="en"><head><title>Broken on purpose</title></head>
<body><main>
  <h1>Broken on purpose</h1>
  <button type="button"></button>
  <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
  <p class="pale">Pale grey text on white.</p>
  <label>Nameless field <input type="text" id="twice"></label><input type="text" id="twice">
</main></body></html>"""

CLEAN = """<!DOCTYPE html>
<html lang="en"><head><title>Fine</title></head>
<body><main><h1>Fine</h1><p>Dark text on white.</p>
  <button type="button">Do it</button></main></body></html>"""


def test_reports_serious_and_critical_violations_readably(page):
    page.set_content(BROKEN)
    page.add_style_tag(content=".pale { color: #c8c8c8; }")  # a data page: no CSP here
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, context="the broken page")
    message = str(failure.value)
    assert "the broken page" in message
    for rule in ("button-name [critical]", "image-alt [critical]", "color-contrast [serious]"):
        assert rule in message, message
    assert '<button type="button"></button>' in message  # the element, as HTML
    assert "at button" in message  # and where it is


def test_passes_a_clean_page_and_injects_axe_once(page):
    page.set_content(CLEAN)
    assert_accessible(page)
    assert axe_violations(page) == []  # axe is already there: not injected again
