"""summarizer: conflict news articles in, validated ACLED-style event records and neutral,
attributed summaries out.

    >>> from summarizer import summarize
    >>> report = summarize("https://example.org/article.html")  # or text, HTML, a path
    >>> report.events[0].fatalities.total

See :func:`summarize`, :func:`asummarize`, :class:`ArticleReport` and :class:`Settings`.
"""

from summarizer.api import asummarize, summarize
from summarizer.errors import (
    ConfigurationError,
    EmbeddedModelError,
    EndpointError,
    ExtractionFailed,
    FetchError,
    InputError,
    SummarizerError,
)
from summarizer.schema import ArticleReport, Event
from summarizer.settings import Settings

__all__ = [
    "ArticleReport",
    "ConfigurationError",
    "EmbeddedModelError",
    "EndpointError",
    "Event",
    "ExtractionFailed",
    "FetchError",
    "InputError",
    "Settings",
    "SummarizerError",
    "asummarize",
    "summarize",
]
