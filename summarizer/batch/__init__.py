"""Many articles at once: :func:`summarize_many` / :func:`asummarize_many` with bounded
concurrency and the result cache (:mod:`.runner`), their inputs (:mod:`.inputs`: one
model and one reader for batch, digest and bot), the cache
(:mod:`.cache`) and the OpenAI Batch API (:mod:`.openai_batch`; a step-pipeline prompt
runs as rounds of Batch API files, :mod:`.rounds`)."""

from summarizer.batch.runner import (
    BatchFailure,
    BatchInput,
    BatchResult,
    JsonlAppender,
    asummarize_many,
    read_inputs,
    read_jsonl,
    summarize_many,
)

__all__ = [
    "BatchFailure",
    "BatchInput",
    "BatchResult",
    "JsonlAppender",
    "asummarize_many",
    "read_inputs",
    "read_jsonl",
    "summarize_many",
]
