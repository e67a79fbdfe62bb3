"""Extraction as small steps a small model does well (see :mod:`.pipeline`)."""

from summarizer.extraction._steps import StepPrompts, is_steps_version, load_step_prompts
from summarizer.extraction.drive import adrive, drive
from summarizer.extraction.pipeline import Answer, ArticleInput, Ask, RunInfo, Steps, run_steps

__all__ = [
    "Answer",
    "ArticleInput",
    "Ask",
    "RunInfo",
    "StepPrompts",
    "Steps",
    "adrive",
    "drive",
    "is_steps_version",
    "load_step_prompts",
    "run_steps",
]
