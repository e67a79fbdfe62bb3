"""``report.html`` from its Jinja template: escaped, self-contained, complete.

The scores are hand-built (:mod:`tests.eval_records`); the hostile strings are put into
a gold value, a model value, an article error and a gate failure, the four places where
text from outside the program reaches the page.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from summarizer.evaluation.gating import GateResult
from summarizer.evaluation.reports import to_html
from summarizer.evaluation.scoring import FIELDS, Mismatch

from .eval_records import al_habeet, result, saturday, score

GOLD_SCRIPT = "<script>alert('gold')</script>"
MODEL_IMG = '<img src=x onerror="alert(1)">'
ERROR_SCRIPT = "</td><script>alert('error')</script>"


class _Tags(HTMLParser):
    """Every start tag of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def _tags(page: str) -> list[str]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def _hostile_page() -> str:
    scored = score([al_habeet(), saturday()])
    hostile = Mismatch(
        article=scored.article, event="gold event 1", field="location",
        gold=[GOLD_SCRIPT], predicted=MODEL_IMG,
    )  # fmt: skip
    scored = scored.model_copy(update={"mismatches": [hostile], "error": ERROR_SCRIPT})
    verdict = GateResult(failures=["<b>events.f1</b> fell"], notes=["<i>n</i>"])
    return to_html(result(scored), verdict)


def test_gold_and_record_strings_are_escaped() -> None:
    page = _hostile_page()
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&#39;gold&#39;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page
    assert "&lt;/td&gt;&lt;script&gt;alert(&#39;error&#39;)&lt;/script&gt;" in page
    assert "&lt;b&gt;events.f1&lt;/b&gt; fell" in page and "&lt;i&gt;n&lt;/i&gt;" in page
    tags = _tags(page)
    assert "script" not in tags and "img" not in tags and "b" in tags  # only the page's own <b>
    assert "i" not in tags


def test_the_page_is_one_self_contained_file() -> None:
    page = _hostile_page()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    tags = _tags(page)
    assert tags.count("style") == 1 and tags.count("svg") == 1
    assert "link" not in tags and "iframe" not in tags
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "https://" not in page and "http://" not in page.replace(
        "http://www.w3.org/2000/svg", ""
    )


def test_the_chart_has_one_bar_per_field_and_check() -> None:
    page = to_html(result(score([al_habeet(), saturday()])))
    rows = len(re.findall(r'text-anchor="end">', page))
    assert rows == len(FIELDS) + 6  # the fields, then six summary/cleaning/article checks
    bars = page.count('class="bar"') + page.count(">not scored<")
    assert bars == rows
    assert "Gate" not in page  # no gate given: no verdict shown


def test_a_passed_gate_and_no_mismatch_are_said_so() -> None:
    scored = score([al_habeet(), saturday()]).model_copy(update={"mismatches": []})
    page = to_html(result(scored), GateResult())
    assert '<p class="ok"><b>Gate passed</b></p>' in page
    assert '<td colspan="5">None: every check passed.</td>' in page
