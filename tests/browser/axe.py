"""axe-core in the browser tests: ``assert_accessible(page)`` fails listing every serious or
critical WCAG 2.x A/AA violation axe finds on the page as it is now.

axe is a test asset (``assets/axe-core``, see its README), never served by the app. It is injected
with ``page.evaluate``: the site's strict Content Security Policy would block a script tag
(``page.add_script_tag``), but code Playwright evaluates through the DevTools protocol is not
subject to it. A browser context that checks many pages can preload it on every page instead,
with ``context.add_init_script(path=AXE_JS)`` (not subject to the policy either, and faster than
sending 650 kB per page); ``assert_accessible`` only injects axe where it is missing.
"""

from functools import cache
from pathlib import Path

AXE_JS = Path(__file__).parent / "assets" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = {"serious", "critical"}
NODES_SHOWN = 3
SNIPPET_LENGTH = 200
SUMMARY_LENGTH = 300

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],  // details of passes and "needs review" are not used here
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({
      target: n.target.map((t) => Array.isArray(t) ? t.join(' >>> ') : t).join(' '),
      html: n.html,
      summary: n.failureSummary || '',
    })),
  }));
}"""


@cache
def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    """Every WCAG 2.x A/AA violation axe finds on the page, of any impact."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate(RUN_AXE, WCAG_TAGS)


def one_line(summary: str) -> str:
    """axe's "Fix any of the following:" then one reason a line, as "heading: reason; reason"."""
    text = ""
    for line in (part.strip() for part in summary.splitlines()):
        if line:
            text += line if not text else (" " if text.endswith(":") else "; ") + line
    return text


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        count = len(violation["nodes"])
        lines.append(
            f"- {violation['id']} [{violation['impact']}] {violation['help']} "
            f"({count} element{'s' if count != 1 else ''}; {violation['helpUrl']})"
        )
        for node in violation["nodes"][:NODES_SHOWN]:
            html = " ".join(node["html"].split())
            if len(html) > SNIPPET_LENGTH:
                html = html[: SNIPPET_LENGTH - 1] + "…"
            lines.append(f"    at {node['target']}")
            lines.append(f"       {html}")
            summary = one_line(node["summary"])
            if summary:
                lines.append(f"       {summary[:SUMMARY_LENGTH]}")
        if count > NODES_SHOWN:
            lines.append(f"    … and {count - NODES_SHOWN} more")
    return "\n".join(lines)


def assert_accessible(page, *, context: str = "") -> None:
    """Fail if axe finds a serious or critical WCAG 2.x A/AA violation on the page."""
    serious = [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS]
    if serious:
        where = f"{context} " if context else ""
        raise AssertionError(
            f"axe-core: {len(serious)} serious/critical accessibility violation"
            f"{'s' if len(serious) != 1 else ''} on {where}{page.url}\n{describe(serious)}"
        )
