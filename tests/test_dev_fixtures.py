"""The development evaluation set (``tests/fixtures/dev``) is well formed and covers what it
claims; the held-out set (``tests/fixtures/heldout``) is well formed.

Every gold file must load with :func:`load_gold`, name an article that exists, and give
only values that can be found in that article: a location name, a date wording and a
summary mention must each have at least one accepted alternative in the article text
(compared after folding case, accents and punctuation; a number may be written as a
word in the text, which the gold gives as its own alternative). The set as a whole must
be large and varied enough to be worth scoring against.
"""

from __future__ import annotations

import html.parser
import re
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from summarizer.evaluation.gold import GoldArticle, load_gold, load_gold_dir
from summarizer.schema import EventType

DEV = Path(__file__).parent / "fixtures" / "dev"
HELDOUT = Path(__file__).parent / "fixtures" / "heldout"
ARTICLES = DEV / "articles"
GOLD = DEV / "gold"
SETS = (DEV, HELDOUT)
GOLD_FILES = sorted(p for root in SETS for p in (root / "gold").glob("*.yaml"))

MIN_ARTICLES = 20
MIN_COUNTRIES = 8
# The tactics the set was built to exercise (see tests/fixtures/dev/README.md).
REQUIRED_SUB_EVENTS = {
    "peaceful_protest",
    "excessive_force_against_protesters",
    "protest_with_intervention",
    "violent_demonstration",
    "mob_violence",
    "abduction_forced_disappearance",
    "remote_explosive_landmine_ied",
    "air_drone_strike",
    "shelling_artillery_missile_attack",
    "agreement",
    "arrests",
}
TERRITORY = {"government_regains_territory", "non_state_actor_overtakes_territory"}


class _Text(html.parser.HTMLParser):
    """The text content of a page, without scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def article_path(name: str) -> Path:
    """Where an article of either set is."""
    return next(p for root in SETS if (p := root / "articles" / name).is_file())


@cache
def article_text(name: str) -> str:
    """The article's text: the file itself, or a page's text content."""
    raw = article_path(name).read_text("utf-8")
    if not name.endswith(".html"):
        return raw
    parser = _Text()
    parser.feed(raw)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


def fold(text: str) -> str:
    """Case, accents, punctuation and whitespace folded, padded with spaces for word matching."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " " + " ".join(re.sub(r"[\W_]+", " ", text).split()) + " "


def occurs(alternatives: tuple[str, ...], text: str) -> list[str]:
    """The alternatives that occur in the text as whole words (after folding)."""
    folded = fold(text)
    return [alt for alt in alternatives if fold(alt).strip() and fold(alt) in folded]


def _gold(path: Path) -> GoldArticle:
    return load_gold(path)


@pytest.fixture(scope="module")
def golds() -> list[GoldArticle]:
    return load_gold_dir(GOLD)


def test_fold_ignores_case_accents_and_punctuation() -> None:
    assert occurs(("Cap-Haitien",), "à Cap-Haïtien, lundi") == ["Cap-Haitien"]
    assert occurs(("quinze",), "Quinze civils") == ["quinze"]
    assert occurs(("Kani",), "Kanimbo village") == []


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda p: p.stem)
def test_gold_loads_and_names_its_article(path: Path) -> None:
    gold = _gold(path)
    assert gold.article_id == path.stem, "gold and article must share a base name"
    assert (path.parent.parent / "articles" / gold.article).is_file(), (
        f"missing article {gold.article}"
    )
    assert Path(gold.article).suffix in {".txt", ".html"}


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda p: p.stem)
def test_gold_values_come_from_the_article(path: Path) -> None:
    gold = _gold(path)
    text = article_text(gold.article)
    for event in gold.events:
        assert occurs(event.location.name, text), (
            f"{event.id}: no location name of {event.location.name} in {gold.article}"
        )
        if event.date_text:
            assert occurs(event.date_text, text), (
                f"{event.id}: no date wording of {event.date_text} in {gold.article}"
            )
        if event.date is not None and gold.published is not None:
            assert event.date <= gold.published, f"{event.id}: dated after publication"
    for entry in gold.summary.must_mention:
        assert occurs(entry, text), f"must_mention {entry} has no alternative in {gold.article}"


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda p: p.stem)
def test_body_end_and_furniture_are_in_the_article(path: Path) -> None:
    gold = _gold(path)
    text = article_text(gold.article)
    assert gold.body_ends_with in text, f"body_ends_with not found in {gold.article}"
    body_end = text.index(gold.body_ends_with) + len(gold.body_ends_with)
    for furniture in gold.must_drop:
        assert furniture in text, f"must_drop {furniture!r} not in {gold.article}"
    if gold.article.endswith(".txt") and not gold.must_drop:
        assert not text[body_end:].strip(), f"{gold.article} has text after body_ends_with"


@pytest.mark.parametrize("root", SETS, ids=lambda p: p.name)
def test_every_article_has_a_gold(root: Path) -> None:
    articles = {p.stem for p in (root / "articles").iterdir() if p.suffix in {".txt", ".html"}}
    assert articles == {p.stem for p in (root / "gold").glob("*.yaml")}


def test_set_size_and_variety(golds: list[GoldArticle]) -> None:
    assert len(golds) >= MIN_ARTICLES
    countries = {e.location.country for g in golds for e in g.events}
    assert len(countries) >= MIN_COUNTRIES, sorted(countries)
    required = [e for g in golds for e in g.required_events]
    types = Counter(e.event_type for e in required)
    assert set(types) == set(EventType), f"event types not covered: {set(EventType) - set(types)}"
    # An event's first sub-event type is its coding; the others are accepted alternatives.
    subs = {e.sub_event_type[0].value for e in required}
    assert subs >= REQUIRED_SUB_EVENTS, f"sub-event types missing: {REQUIRED_SUB_EVENTS - subs}"
    assert TERRITORY & subs, "no change of territory"
    assert any(not g.events for g in golds), "no article without political violence"
    assert sum(1 for g in golds if g.article.endswith(".html")) >= 3
    assert sum(1 for g in golds if g.must_drop) >= 3
    assert 35 <= len([e for g in golds for e in g.events]) <= 300
