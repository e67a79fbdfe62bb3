"""Grounding and neutrality of an extraction against its source text: the checks and
repairs (:mod:`.checks`), quotes (:mod:`.quotes`), numbers (:mod:`.numbers`), the
injection filter (:mod:`.injection`), the loaded-language lexicon (:mod:`.lexicon`) and
the event notes (:mod:`.notes`), and the check of a one-shot answer that returns its
repairs and warnings as values (:mod:`.grounded`)."""

from summarizer.grounding.checks import (
    Problem,
    check_events,
    check_extraction,
    check_summary,
    repair_extraction,
)
from summarizer.grounding.grounded import (
    ground,
    grounding_check,
    summary_repairs,
    validate_grounded,
)
from summarizer.grounding.injection import without_instructions
from summarizer.grounding.lexicon import LoadedTerm, loaded_terms, loaded_terms_in, neutralize
from summarizer.grounding.numbers import numbers_in
from summarizer.grounding.quotes import copied_passage, nearest_sentence, quote_in_text

__all__ = [
    "LoadedTerm",
    "Problem",
    "check_events",
    "check_extraction",
    "check_summary",
    "copied_passage",
    "ground",
    "grounding_check",
    "loaded_terms",
    "loaded_terms_in",
    "nearest_sentence",
    "neutralize",
    "numbers_in",
    "quote_in_text",
    "repair_extraction",
    "summary_repairs",
    "validate_grounded",
    "without_instructions",
]
