"""Drivers of the step pipeline: send each round's questions to an LLM, feed back the
answers. A question that gets no valid answer comes back as its ExtractionFailed (the
pipeline decides what that costs); an endpoint or configuration error stops the article."""

from __future__ import annotations

import asyncio

from summarizer.errors import ExtractionFailed
from summarizer.extraction.pipeline import Answer, Ask, Steps
from summarizer.llm.client import LLM
from summarizer.schema import ArticleReport

__all__ = ["adrive", "drive"]


def _ask(llm: LLM, ask: Ask) -> Answer:
    try:
        return llm.extract(ask.messages, ask.response_model)
    except ExtractionFailed as failed:
        return failed


async def _aask(llm: LLM, ask: Ask) -> Answer:
    try:
        return await llm.aextract(ask.messages, ask.response_model)
    except ExtractionFailed as failed:
        return failed


def drive(steps: Steps, llm: LLM) -> ArticleReport:
    """Run the pipeline, one question at a time."""
    try:
        asks = next(steps)
        while True:
            asks = steps.send([_ask(llm, ask) for ask in asks])
    except StopIteration as done:
        report: ArticleReport = done.value
        return report


async def adrive(steps: Steps, llm: LLM) -> ArticleReport:
    """Run the pipeline, the questions of a round concurrently (the server's parallel
    slots, when it has them, answer them side by side)."""
    try:
        asks = next(steps)
        while True:
            answers = await asyncio.gather(*(_aask(llm, ask) for ask in asks))
            asks = steps.send(list(answers))
    except StopIteration as done:
        report: ArticleReport = done.value
        return report
