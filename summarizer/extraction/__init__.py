"""Extraction as small steps a small model does well (see :mod:`.pipeline`)."""

from summarizer.extraction.drive import adrive, drive
from summarizer.extraction.pipeline import Answer, ArticleInput, Ask, RunInfo, Steps, run_steps

__all__ = ["Answer", "ArticleInput", "Ask", "RunInfo", "Steps", "adrive", "drive", "run_steps"]
