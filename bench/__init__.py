"""summarizer's benchmarks: each figure is a ratio against a baseline measured in the
same run (see ``bench/README.md``; run them with ``python bench/run.py``)."""
