"""The SQLite result cache: keys, hits and misses, WAL, concurrent writers, clear."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path

import pytest

from summarizer.batch.cache import CACHE_FILE, ResultCache, cache_key, default_cache_path
from summarizer.errors import ConfigurationError
from summarizer.settings import Settings

from .records import report

BASE = {
    "model": "m",
    "base_url": "http://127.0.0.1:8080/v1",
    "prompt_version": "v1",
    "prompt_sha256": "abc",
    "schema_version": 1,
}


def test_key_covers_every_input() -> None:
    key = cache_key("text", **BASE)
    assert key == cache_key("text", **BASE)
    assert key == cache_key("text", **{**BASE, "base_url": "http://127.0.0.1:8080/v1/"})
    variants = [
        cache_key("other text", **BASE),
        cache_key("text", **{**BASE, "model": "m2"}),
        cache_key("text", **{**BASE, "base_url": "http://other/v1"}),
        cache_key("text", **{**BASE, "prompt_version": "v2"}),
        cache_key("text", **{**BASE, "prompt_sha256": "abd"}),
        cache_key("text", **{**BASE, "schema_version": 2}),
        cache_key("text", **BASE, chunk_chars=12000),
        cache_key("text", **BASE, published=dt.date(2019, 5, 9)),
        cache_key("text", **BASE, outlet="AFP"),
        cache_key("text", **BASE, url="https://news.example/a"),
    ]
    assert len({key, *variants}) == len(variants) + 1


def test_put_get_stats_clear(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path / "c")
    assert default_cache_path(settings) == tmp_path / "c" / CACHE_FILE
    record = report()
    with ResultCache.for_settings(settings) as cache:
        assert cache.get("k1") is None
        cache.put("k1", record)
        assert cache.get("k1") == record
        cache.put("k1", record)  # replacing is fine
        assert len(cache) == 1
        stats = cache.stats()
        assert (stats.entries, stats.hits, stats.misses) == (1, 1, 1)
        assert stats.size_bytes > 0 and stats.hit_rate == 0.5
        mode = sqlite3.connect(cache.path).execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"
        assert cache.clear() == 1
        assert len(cache) == 0 and cache.get("k1") is None


def test_an_unreadable_entry_is_a_miss(tmp_path: Path) -> None:
    with ResultCache(tmp_path / "r.sqlite3") as cache:
        cache.put("k", report())
        with sqlite3.connect(cache.path) as db:
            db.execute('UPDATE results SET report = \'{"not": "a report"}\'')
        assert cache.get("k") is None and cache.misses == 1


def test_concurrent_writers_threads_and_connections(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite3"
    record = report()
    shared = ResultCache(path)
    other = ResultCache(path)  # a second connection, as another process would have
    errors: list[BaseException] = []

    def work(cache: ResultCache, prefix: str) -> None:
        try:
            for n in range(25):
                cache.put(f"{prefix}{n}", record)
                assert cache.get(f"{prefix}{n}") == record
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [
        threading.Thread(target=work, args=(shared if i % 2 else other, f"t{i}-")) for i in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(shared) == len(other) == 200
    shared.close()
    other.close()


def test_an_unusable_cache_path_is_a_configuration_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", "utf-8")
    with pytest.raises(ConfigurationError, match="cannot open the result cache"):
        ResultCache(blocker / "results.sqlite3")
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ConfigurationError, match="not usable"):
        ResultCache(garbage)
