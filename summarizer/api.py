"""The one-call API: ``summarize(source) -> ArticleReport`` and its async twin.

The pipeline: load the source (text, HTML, path or URL) → clean page furniture →
render the versioned prompt with the article fenced as data → ask the LLM for an
:class:`~summarizer.schema.Extraction`, re-asking while validation or grounding fails →
resolve dates → assemble the :class:`~summarizer.schema.ArticleReport` with provenance.
Nothing unvalidated is ever returned: failures raise a :class:`SummarizerError`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
from dataclasses import dataclass, replace
from importlib.metadata import PackageNotFoundError, version

from summarizer.errors import ConfigurationError, InputError, redact_url
from summarizer.extraction import (
    ArticleInput,
    RunInfo,
    StepPrompts,
    Steps,
    adrive,
    drive,
    is_steps_version,
    load_step_prompts,
    run_steps,
)
from summarizer.grounding import grounding_check, quote_in_text
from summarizer.grounding.notes import event_notes
from summarizer.llm.client import LLM, Completion, Endpoint
from summarizer.llm.embedded import ALIAS, shared_server
from summarizer.llm.prompts import (
    Prompt,
    defuse_fence,
    fence_article,
    fence_metadata,
    field_guide,
    field_tree,
    load_prompt,
)
from summarizer.schema import (
    SCHEMA_VERSION,
    SUB_EVENT_TYPES,
    ActorType,
    ArticleInfo,
    ArticleReport,
    Event,
    Extraction,
    PromptInfo,
    Provenance,
)
from summarizer.settings import Settings
from summarizer.text.chunking import MAX_CHUNKS, merge_reports, split_article
from summarizer.text.clean import CleanResult, clean_text
from summarizer.text.dates import resolve_date
from summarizer.text.limits import check_outlet, fit_metadata
from summarizer.text.sources import SourceDocument, aload_source, load_source

__all__ = [
    "PreparedArticle",
    "aextract",
    "aextract_chunks",
    "asummarize",
    "build_report",
    "extract",
    "extract_chunks",
    "prepare",
    "prepare_chunks",
    "prompt_info",
    "resolve_endpoint",
    "steps_for",
    "steps_of",
    "summarize",
]

Source = str | os.PathLike[str] | SourceDocument
_OPENAI_URL = "https://api.openai.com/v1"
_OPENAI_DEFAULT_MODEL = "gpt-4o-mini"

try:
    _VERSION = version("summarizer")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    _VERSION = "0+unknown"


def resolve_endpoint(settings: Settings) -> Endpoint:
    """The endpoint to use: the configured URL, OpenAI with a bare key, else embedded
    (with its parallel slots, which bound the requests in flight)."""
    key = settings.api_key.get_secret_value() if settings.api_key else None
    if settings.base_url:
        if not settings.model:
            raise ConfigurationError(
                f"SUMMARIZER_BASE_URL is set to {redact_url(settings.base_url)} but no model is "
                "named; set SUMMARIZER_MODEL"
            )
        return Endpoint(settings.base_url.rstrip("/"), settings.model, key or "no-key")
    if key:
        return Endpoint(_OPENAI_URL, settings.model or _OPENAI_DEFAULT_MODEL, key)
    server = shared_server(settings)
    return Endpoint(server.base_url, ALIAS, "no-key", embedded=True, slots=server.slots)


def prompt_info(version: str) -> PromptInfo:
    """Name, version and hash of extraction prompt ``version``, one-shot or steps;
    ConfigurationError when the version or one of its templates is missing."""
    if is_steps_version(version):
        steps = load_step_prompts(version)
        return PromptInfo(name="extract", version=steps.version, sha256=steps.sha256)
    prompt = load_prompt("extract", version)
    return PromptInfo(name=prompt.name, version=prompt.version, sha256=prompt.sha256)


@dataclass(frozen=True)
class PreparedArticle:
    """An article ready to be sent: cleaned text, metadata and rendered messages."""

    document: SourceDocument
    cleaned: CleanResult
    published: dt.date | None
    outlet: str | None
    prompt: Prompt | None  # None for a step-pipeline version (its questions are made per step)
    messages: list[dict[str, str]]
    steps: StepPrompts | None = None  # the step pipeline's templates, for such a version

    @property
    def prompt_id(self) -> PromptInfo:
        """Name, version and hash of the prompt this article is sent with (either kind)."""
        if self.steps is not None:
            return PromptInfo(name="extract", version=self.steps.version, sha256=self.steps.sha256)
        assert self.prompt is not None  # one of the two is always set by prepare()
        return PromptInfo(
            name=self.prompt.name, version=self.prompt.version, sha256=self.prompt.sha256
        )

    @property
    def source_sha256(self) -> str:
        """SHA-256 of the cleaned text."""
        return hashlib.sha256(self.cleaned.text.encode()).hexdigest()


def prepare(
    document: SourceDocument,
    *,
    published: dt.date | None,
    outlet: str | None,
    settings: Settings,
    cleaned: CleanResult | None = None,
) -> PreparedArticle:
    """Clean the document and render the prompt (no network, no LLM).

    ``cleaned``: the document's text already cleaned (e.g. one chunk of it).
    """
    check_outlet(outlet)
    document = fit_metadata(document)
    cleaned = cleaned or clean_text(document.text)
    if not cleaned.text.strip():
        raise InputError("the article is empty once page furniture is removed")
    if len(cleaned.text) > settings.max_article_chars:
        raise InputError(
            f"the article has {len(cleaned.text)} characters after cleaning, more than one "
            f"request takes ({settings.max_article_chars}); raise SUMMARIZER_MAX_ARTICLE_CHARS "
            "if your model's context allows it"
        )
    published = published or document.published or cleaned.published_hint
    outlet = outlet or document.outlet or cleaned.outlet_hint
    if is_steps_version(settings.prompt_version):
        steps = load_step_prompts(settings.prompt_version)  # a missing template fails here
        return PreparedArticle(document, cleaned, published, outlet, None, [], steps)
    prompt = load_prompt("extract", settings.prompt_version)
    messages = prompt.render(
        # v1 renders the fenced `article` and `outlet` outside it (its cassettes pin the
        # request bodies); v2+ render `title`, `outlet` and `article_text` inside the fence.
        article=fence_article(cleaned.text),
        article_text=defuse_fence(cleaned.text),
        title=fence_metadata(document.title),
        published=published.isoformat() if published else None,
        outlet=fence_metadata(outlet),
        fence="<<<ARTICLE>>>",
        fence_end="<<<END ARTICLE>>>",
        event_types=[(t.value, [s.value for s in subs]) for t, subs in SUB_EVENT_TYPES.items()],
        actor_types=[a.value for a in ActorType],
        field_guide=field_guide(Extraction),
        field_tree=field_tree(Extraction),
    )
    return PreparedArticle(document, cleaned, published, outlet, prompt, messages)


def _in_text(value: str | None, name: str, text: str, warnings: list[str]) -> str | None:
    """Keep a metadata value only if the article contains it (models invent titles)."""
    if value and not quote_in_text(value, text):
        warnings.append(f"{name} {value!r} is not in the article; dropped")
        return None
    return value


def _report(
    prepared: PreparedArticle,
    completion: Completion[Extraction],
    endpoint: Endpoint,
    warnings: list[str],
) -> ArticleReport:
    extraction = completion.value
    warnings = list(warnings)
    events = []
    for draft in extraction.events:
        date, precision = resolve_date(draft.date_text, prepared.published)
        if date is None and prepared.published is None:
            warnings.append(
                f"date of {draft.date_text!r} not resolved: no publication date (pass published=)"
            )
        events.append(
            Event(
                **draft.model_dump(), date=date, time_precision=precision, notes=event_notes(draft)
            )
        )
    document = prepared.document
    meta = extraction.article
    text = prepared.cleaned.text
    wire, title, dateline = (
        _in_text(value, name, text, warnings)
        for name, value in (("wire service", meta.wire), ("title", meta.title),
                            ("dateline", meta.dateline))
    )  # fmt: skip
    article = ArticleInfo(
        title=document.title or title,
        wire=wire,
        dateline=dateline,
        language=meta.language,
        outlet=prepared.outlet,
        published=prepared.published,
        url=document.url,
    )
    provenance = Provenance(
        model=endpoint.model,
        endpoint_host="embedded" if endpoint.embedded else endpoint.host,
        prompt=prepared.prompt_id,
        schema_version=SCHEMA_VERSION,
        attempts=completion.attempts,
        usage=completion.usage,
        latency_seconds=completion.latency_seconds,
        removed_chars=prepared.cleaned.removed_chars,
        source_sha256=prepared.source_sha256,
        warnings=sorted(set(warnings)),
        created_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        summarizer_version=_VERSION,
    )
    return ArticleReport(
        article=article, events=events, summary=extraction.summary, provenance=provenance
    )


def steps_of(prepared: PreparedArticle, endpoint: Endpoint, steps: StepPrompts) -> Steps:
    """The step pipeline (:func:`summarizer.extraction.run_steps`) of ``steps`` for a
    prepared article, answered by ``endpoint`` (named in the provenance). No network: a
    driver sends the questions, live (:func:`steps_for`) or as Batch API rounds."""
    document = prepared.document
    article = ArticleInput(
        text=prepared.cleaned.text,
        published=prepared.published,
        outlet=prepared.outlet,
        title=document.title,
        url=document.url,
        removed_chars=prepared.cleaned.removed_chars,
        source_sha256=prepared.source_sha256,
    )
    run = RunInfo(
        model=endpoint.model,
        endpoint_host="embedded" if endpoint.embedded else endpoint.host,
        summarizer_version=_VERSION,
    )
    return run_steps(article, steps, run)


def steps_for(prepared: PreparedArticle, llm: LLM) -> Steps:
    """The step pipeline for a prepared article, to be answered by ``llm``."""
    steps = prepared.steps or load_step_prompts(llm.settings.prompt_version)
    return steps_of(prepared, llm.endpoint, steps)


def extract(prepared: PreparedArticle, *, llm: LLM) -> ArticleReport:
    """Ask the LLM about a prepared article and assemble the validated record."""
    if prepared.prompt is None:
        return _noted(drive(steps_for(prepared, llm), llm), prepared)
    check = grounding_check(prepared.cleaned.text)
    completion = llm.extract(prepared.messages, Extraction, check)
    return _noted(_report(prepared, completion, llm.endpoint, completion.warnings), prepared)


async def aextract(prepared: PreparedArticle, *, llm: LLM) -> ArticleReport:
    """The asyncio twin of :func:`extract` (one LLM client may serve many at once)."""
    if prepared.prompt is None:
        return _noted(await adrive(steps_for(prepared, llm), llm), prepared)
    check = grounding_check(prepared.cleaned.text)
    completion = await llm.aextract(prepared.messages, Extraction, check)
    return _noted(_report(prepared, completion, llm.endpoint, completion.warnings), prepared)


def _noted(report: ArticleReport, prepared: PreparedArticle) -> ArticleReport:
    """The record with what loading changed (an over-long page title cut...) among its
    warnings."""
    extra = [w for w in prepared.document.warnings if w not in report.provenance.warnings]
    if not extra:
        return report
    provenance = report.provenance.model_copy(
        update={"warnings": sorted({*report.provenance.warnings, *extra})}
    )
    return report.model_copy(update={"provenance": provenance})


def build_report(
    prepared: PreparedArticle,
    completion: Completion[Extraction],
    endpoint: Endpoint,
    warnings: list[str] | None = None,
) -> ArticleReport:
    """Assemble the record from an extraction validated elsewhere (e.g. a Batch API
    output validated and grounded by :func:`summarizer.grounding.validate_grounded`, its
    warnings passed here), exactly as :func:`extract` does."""
    return _noted(_report(prepared, completion, endpoint, list(warnings or [])), prepared)


def prepare_chunks(
    document: SourceDocument,
    *,
    published: dt.date | None,
    outlet: str | None,
    settings: Settings,
) -> list[PreparedArticle]:
    """:func:`prepare`, with an article longer than ``settings.max_article_chars`` split
    by paragraphs into several prepared chunks (see :mod:`summarizer.text.chunking`)."""
    check_outlet(outlet)
    document = fit_metadata(document)
    cleaned = clean_text(document.text)
    if len(cleaned.text) <= settings.max_article_chars:
        whole = prepare(
            document, published=published, outlet=outlet, settings=settings, cleaned=cleaned
        )
        return [whole]
    chunks = [c for c in split_article(cleaned.text, settings.max_article_chars) if c.strip()]
    if len(chunks) > MAX_CHUNKS:
        raise InputError(
            f"the article has {len(cleaned.text)} characters after cleaning: {len(chunks)} "
            f"requests of {settings.max_article_chars}, more than {MAX_CHUNKS}; split it, or "
            "raise SUMMARIZER_MAX_ARTICLE_CHARS if your model's context allows it"
        )
    published = published or document.published or cleaned.published_hint
    outlet = outlet or document.outlet or cleaned.outlet_hint
    return [
        prepare(
            document,
            published=published,
            outlet=outlet,
            settings=settings,
            cleaned=replace(cleaned, text=chunk),
        )
        for chunk in chunks
    ]


def _merged(chunks: list[PreparedArticle], reports: list[ArticleReport]) -> ArticleReport:
    return merge_reports(reports, source_text="".join(c.cleaned.text for c in chunks))


def extract_chunks(chunks: list[PreparedArticle], *, llm: LLM) -> ArticleReport:
    """:func:`extract` each chunk of :func:`prepare_chunks` and merge the records."""
    return _merged(chunks, [extract(chunk, llm=llm) for chunk in chunks])


async def aextract_chunks(chunks: list[PreparedArticle], *, llm: LLM) -> ArticleReport:
    """The asyncio twin of :func:`extract_chunks` (the chunks are extracted one by one)."""
    return _merged(chunks, [await aextract(chunk, llm=llm) for chunk in chunks])


def summarize(
    source: Source,
    *,
    published: dt.date | None = None,
    outlet: str | None = None,
    settings: Settings | None = None,
) -> ArticleReport:
    """Turn one article (text, HTML, a path or an http(s) URL) into a validated record.

    An already loaded :class:`~summarizer.text.sources.SourceDocument` is accepted too.

    Raises :class:`~summarizer.errors.SummarizerError` subclasses: ``InputError`` when
    the source yields no article, ``ConfigurationError`` for settings, ``EndpointError``
    when the LLM cannot be reached, ``ExtractionFailed`` when no answer validates.
    """
    settings = settings or Settings()
    document = load_source(source, settings=settings)
    chunks = prepare_chunks(document, published=published, outlet=outlet, settings=settings)
    llm = LLM(settings, resolve_endpoint(settings))
    try:
        return extract_chunks(chunks, llm=llm)
    finally:
        llm.close()


async def asummarize(
    source: Source,
    *,
    published: dt.date | None = None,
    outlet: str | None = None,
    settings: Settings | None = None,
) -> ArticleReport:
    """The asyncio twin of :func:`summarize`."""
    settings = settings or Settings()
    document = await aload_source(source, settings=settings)
    chunks = prepare_chunks(document, published=published, outlet=outlet, settings=settings)
    llm = LLM(settings, await asyncio.to_thread(resolve_endpoint, settings))
    try:
        return await aextract_chunks(chunks, llm=llm)
    finally:
        await llm.aclose()
