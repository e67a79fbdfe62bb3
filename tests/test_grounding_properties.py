"""Property tests: the grounding checks never crash on arbitrary text, and a verbatim
quote of the article is always found in it."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from summarizer.grounding import (
    check_extraction,
    loaded_terms,
    neutralize,
    numbers_in,
    quote_in_text,
)
from summarizer.schema import (
    Actor,
    ActorType,
    ArticleMeta,
    CasualtyCount,
    EventDraft,
    Extraction,
    Fatalities,
    Location,
    SubEventType,
    Summary,
    parent_event_type,
)
from summarizer.text.folding import fold
from summarizer.text.sentences import _sentences

# Arbitrary text, plus text made of the pieces the checks look for.
WORDS = [
    "killed", "dead", "died", "three", "twenty-one", "hundred", "a", "and", "1,000", "55",
    "0", "2.5", "million", "regime", "terrorists", "martyrs", "so-called", "said", "according",
    "to", "nobody", "was", "no", "one", "Saturday", "Sunday", "...", "…", "\"", "“", "”", "'",
    "«", "»", "—", "-", ".", "!", "?", "\n", " ", "\u00a0", "e\u0301", "ﬁ", "١٢", "٣",
]  # fmt: skip
article_like = st.lists(st.sampled_from(WORDS), max_size=60).map(" ".join)
any_text = st.one_of(st.text(max_size=300), article_like)
COMMON = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@given(any_text)
@COMMON
def test_numbers_in_never_crashes(text: str) -> None:
    found = numbers_in(text)
    assert all(isinstance(n, int) and n >= 0 for n in found)
    assert numbers_in(text, include_small_words=False) <= found


@given(any_text, any_text)
@COMMON
def test_quote_in_text_never_crashes(quote: str, text: str) -> None:
    assert quote_in_text(quote, text) in (True, False)


# fold and the sentence splitter are written for speed; these are their plain forms.
_DASHES = re.compile(r"[‐‑‒–—―]|--")
_PLAIN_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’']?\s+|\n+")
fold_pieces = st.lists(
    st.sampled_from([*WORDS, "--", "---", "–-", "-–", "\t", "\r\n", "``", "´", "\u2028"]),
    max_size=30,
).map("".join)


@given(st.one_of(st.text(max_size=80), fold_pieces))
@COMMON
def test_fold_and_sentences_match_their_plain_regex_forms(text: str) -> None:
    plain = unicodedata.normalize("NFKC", text)
    plain = _DASHES.sub("-", plain).translate(str.maketrans("", "", "\"'“”‘’«»`´"))
    assert fold(text) == re.sub(r"\s+", " ", plain).strip().casefold()
    assert _sentences(text) == [s for s in _PLAIN_SENTENCE_END.split(text) if s.strip()]


def _stable_cut(text: str, at: int) -> bool:
    """Cutting the text here does not split a unit that Unicode normalization composes."""
    whole = unicodedata.normalize("NFKC", text)
    return (
        unicodedata.normalize("NFKC", text[:at]) + unicodedata.normalize("NFKC", text[at:]) == whole
    )


@given(any_text, st.data())
@COMMON
@example("Clashes killed 55 “combatants” — on Saturday...", None)
def test_any_substring_of_the_text_is_found(text: str, data: st.DataObject | None) -> None:
    if data is None:
        start, end = 8, 30
    else:
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, len(text)))
    quote = text[start:end]
    assume(fold(quote).strip(" .,;:"))  # nothing left to look for: never a match
    assume(_stable_cut(text, start) and _stable_cut(text, end))
    assert quote_in_text(quote, text), (quote, text)


@pytest.mark.xfail(strict=True, reason="fold() applies NFKC to quote and text separately")
def test_a_quote_cut_inside_a_combining_sequence_is_not_found() -> None:
    # Known limitation, kept visible: 'cafe' is a substring of 'cafe\u0301' (decomposed é),
    # but NFKC composes the text to 'café'. Models quote whole sentences, so the cut
    # rarely falls there; a fix would fold both sides to NFKD instead.
    assert quote_in_text("cafe", "cafe\u0301 closed")


@given(any_text)
@COMMON
def test_neutralize_never_crashes_and_reports_lexicon_terms(text: str) -> None:
    new, replaced = neutralize(text)
    assert isinstance(new, str)
    lexicon = {term.term for term in loaded_terms()}
    assert set(replaced) <= lexicon
    if not replaced:
        assert new == text


short = st.one_of(st.text(max_size=40), st.sampled_from(WORDS))


@st.composite
def extractions(draw: st.DrawFn) -> Extraction:
    """Arbitrary extractions; built with model_construct so any text reaches the checks."""
    events = []
    for _ in range(draw(st.integers(0, 3))):
        sub = draw(st.sampled_from(list(SubEventType)))
        parent = parent_event_type(sub)
        total = draw(st.one_of(st.none(), st.integers(0, 2000)))
        breakdown = [
            CasualtyCount.model_construct(side=draw(short), count=draw(st.integers(0, 500)))
            for _ in range(draw(st.integers(0, 2)))
        ]
        events.append(
            EventDraft.model_construct(
                event_type=parent,
                sub_event_type=sub,
                date_text=draw(short),
                location=Location.model_construct(
                    name=draw(short), admin1=None, admin2=None, country="X", geo_precision=1
                ),
                actor1=Actor.model_construct(name=draw(short), type=ActorType.rebel_group),
                actor2=draw(
                    st.one_of(
                        st.none(),
                        st.builds(
                            lambda n: Actor.model_construct(name=n, type=ActorType.civilians),
                            short,
                        ),
                    )
                ),
                assoc_actor1=[],
                assoc_actor2=[],
                fatalities=Fatalities.model_construct(
                    total=total,
                    breakdown=breakdown,
                    civilians=draw(st.one_of(st.none(), st.integers(0, 100))),
                    reported_by=draw(st.one_of(st.none(), short)),
                ),
                sources=draw(st.lists(short, max_size=2)),
                evidence=draw(st.lists(any_text, min_size=1, max_size=3)),
            )
        )
    summary = Summary.model_construct(headline=draw(short), text=draw(any_text))
    meta = ArticleMeta.model_construct(title=None, wire=None, dateline=None, language="en")
    return Extraction.model_construct(article=meta, events=events, summary=summary)


@given(extractions(), any_text, st.booleans())
@COMMON
def test_check_extraction_never_crashes(extraction: Extraction, source: str, final: bool) -> None:
    warnings: list[str] = []
    problems = check_extraction(extraction, source, warnings, final=final)
    assert all(isinstance(p, str) and p for p in problems)
    assert all(isinstance(w, str) for w in warnings)
    if final and not problems:
        # what survives the final attempt is grounded
        for event in extraction.events:
            assert any(quote_in_text(q, source) for q in event.evidence)
