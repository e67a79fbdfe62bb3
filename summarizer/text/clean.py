"""Cleaning of article text before the model sees it.

:func:`clean_text` normalises whitespace and strips page furniture (paywall offers,
share bars, cookie banners, image captions, "Related Stories", site names, bare URLs)
off an article, keeping every body paragraph in order. It returns a
:class:`CleanResult` that also records what was dropped and the outlet and publication
date the furniture revealed.

The rules are data, not code: ``summarizer/data/cleaning_rules.yaml`` (loaded once and
cached) describes which lines start trailing furniture (``cut_from``), which whole
lines to drop (``drop_lines``), which fragments to cut out of kept lines, which lines
to drop at the very end, the outlet patterns and the publication-date header lines.
Line rules always match whole lines, so a body sentence is never dropped for merely
mentioning a furniture word.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from summarizer.text.folding import folded

# The regex parser behind the re module (re._parser since Python 3.11, which this package
# requires), to read what a rule's pattern must contain (_required_word).
_sre: Any = importlib.import_module("re._parser")
_sre_constants: Any = importlib.import_module("re._constants")
_sre_parse = _sre.parse
_LITERAL = _sre_constants.LITERAL
_REPEATS = (_sre_constants.MAX_REPEAT, _sre_constants.MIN_REPEAT)
_LONG_REPEAT = 20

__all__ = ["CleanResult", "clean_text"]


@dataclass(frozen=True)
class CleanResult:
    """An article's cleaned text and what cleaning found out along the way.

    Attributes:
        text: the cleaned article text, paragraphs separated by ``"\\n"``, stripped.
        removed_chars: ``len(original) - len(text)``.
        dropped: the lines and fragments removed, in the order they appeared.
        outlet_hint: the outlet the dropped furniture reveals, if any.
        published_hint: the publication date given by a header line, if any.
    """

    text: str
    removed_chars: int
    dropped: tuple[str, ...]
    outlet_hint: str | None
    published_hint: dt.date | None


# --- whitespace and character normalisation -------------------------------------------

# Spaces that are not ASCII spaces: NBSP, figure/narrow spaces, en/em spaces, ideographic.
_ODD_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# Control characters (C0 except tab and newline, DEL, C1) and invisible format characters.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b\u2060\ufeff]")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029]")
_SPACE_RUNS = re.compile(r" {2,}")


def _normalise(text: str) -> str:
    if "\r" in text or "\u2028" in text or "\u2029" in text:  # a substring test is far
        text = _LINE_BREAKS.sub("\n", text)  # cheaper than the scan, which rarely finds one
    text = _ODD_SPACES.sub(" ", text)
    return _CONTROL.sub("", text)


# --- dates -----------------------------------------------------------------------------

_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
)  # fmt: skip
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"  # noqa: E501
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+"
_ORDINAL = r"(?:st|nd|rd|th)?"
_DATE = (
    rf"(?:{_WEEKDAY})?(?:"
    rf"(?P<dmy_d>\d{{1,2}}){_ORDINAL}\s+(?P<dmy_m>{_MONTH})\.?,?\s+(?P<dmy_y>\d{{4}})"
    rf"|(?P<mdy_m>{_MONTH})\.?\s+(?P<mdy_d>\d{{1,2}}){_ORDINAL},?\s+(?P<mdy_y>\d{{4}})"
    rf"|(?P<iso_y>\d{{4}})-(?P<iso_m>\d{{2}})-(?P<iso_d>\d{{2}})"
    # day first, with dots, as German and other European pages stamp it: "02.11.2025"
    rf"|(?P<dot_d>\d{{1,2}})\.(?P<dot_m>\d{{1,2}})\.(?P<dot_y>\d{{4}})"
    r")"
)
_TIME = (
    r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?|uhr)?"
    r"(?:\s*\(?(?:[a-z]{2,5}|(?:gmt|utc)\s*[+-]\s*\d{1,2}(?::?\d{2})?)\)?)?"
)


def _month_number(name: str) -> int:
    return next(i for i, m in enumerate(_MONTH_NAMES, start=1) if name.lower()[:3] == m[:3])


def _date_from(match: re.Match[str]) -> dt.date | None:
    groups = match.groupdict()
    try:
        if groups.get("dmy_d"):
            day, month, year = groups["dmy_d"], _month_number(groups["dmy_m"]), groups["dmy_y"]
        elif groups.get("mdy_d"):
            day, month, year = groups["mdy_d"], _month_number(groups["mdy_m"]), groups["mdy_y"]
        elif groups.get("iso_d"):
            day, month, year = groups["iso_d"], int(groups["iso_m"]), groups["iso_y"]
        elif groups.get("dot_d"):
            day, month, year = groups["dot_d"], int(groups["dot_m"]), groups["dot_y"]
        else:
            return None
        return dt.date(int(year), month, int(day))
    except ValueError:
        return None


# --- the rules -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Outlet:
    name: str | None
    patterns: tuple[re.Pattern[str], ...]
    trailing_name: bool


@dataclass(frozen=True)
class _LineRules:
    """Rules that match whole lines, and one regular expression joining them: one scan
    of a line instead of one per rule.

    A rule that opens with a long repetition (``[^.!?]{0,100}``) retries every length of it
    on every paragraph of the article before it fails. If it must also contain a word
    of four or more letters outside any group or repetition ('...your\\s+inbox...'), it
    is kept out of the joined expression and tried only on lines holding that word
    (``gated``). Other rules fail at the first characters of a line, and stay joined.
    When the rules cannot be joined (e.g. two use the same group name), ``joined`` is
    None and every rule is gated by the empty word, which every line holds.
    """

    patterns: tuple[re.Pattern[str], ...]
    joined: re.Pattern[str] | None
    gated: tuple[tuple[str, re.Pattern[str]], ...] = ()

    @classmethod
    def of(cls, patterns: tuple[re.Pattern[str], ...]) -> _LineRules:
        words = [_required_word(p) for p in patterns]
        gated = tuple((word, p) for word, p in zip(words, patterns, strict=True) if word)
        rest = [p for word, p in zip(words, patterns, strict=True) if not word]
        joined = None
        if rest:
            try:
                joined = re.compile("|".join(f"(?:{p.pattern})" for p in rest), re.I)
            except re.error:  # cannot be joined: every rule is tried in turn
                gated = tuple(("", p) for p in patterns)
        return cls(patterns, joined, gated)

    def match(self, line: str) -> bool:
        """Whether some rule matches the whole line."""
        if self.joined is not None and self.joined.fullmatch(line) is not None:
            return True
        if not self.gated:
            return False
        words = folded(line)
        return any(word in words and p.fullmatch(line) for word, p in self.gated)


def _required_word(pattern: re.Pattern[str]) -> str | None:
    """For a pattern that opens with a repetition allowed to run to 20 characters or
    more: the longest run of four or more ASCII letters that every match contains,
    lowercase (a run of literal characters at its top level, outside any group,
    alternative or repetition). None otherwise."""
    items = list(_sre_parse(pattern.pattern, pattern.flags))
    if not items or items[0][0] not in _REPEATS or items[0][1][1] < _LONG_REPEAT:
        return None
    best = ""
    run: list[str] = []
    for op, value in [*items, (None, None)]:
        if op is _LITERAL and isinstance(value, int) and chr(value).isascii():
            run.append(chr(value))
            continue
        word = "".join(run)
        if len(word) > len(best) and word.isalpha():
            best = word
        run = []
    return best.lower() if len(best) >= 4 else None


@dataclass(frozen=True)
class _Rules:
    cut_always: _LineRules
    cut_tail: _LineRules
    tail_min_prose_fraction: float
    drop_lines: _LineRules
    drop_fragments: tuple[re.Pattern[str], ...]
    trailing_drop_lines: _LineRules
    outlets: tuple[_Outlet, ...]
    published: _LineRules


_RULES_FILE = "data/cleaning_rules.yaml"


def _compile(patterns: Iterable[str], section: str) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(str(pattern), re.IGNORECASE))
        except re.error as error:
            message = f"{_RULES_FILE}: bad pattern in {section}: {pattern!r}: {error}"
            raise ValueError(message) from error
    return tuple(compiled)


def _section(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise ValueError(f"{_RULES_FILE}: {key} must be a list")
    return value


def _parse_outlets(entries: list[Any]) -> tuple[_Outlet, ...]:
    outlets = []
    for entry in entries:
        name = entry.get("name")
        patterns = _compile(entry.get("patterns") or [], "outlets")
        if name is None and not all("outlet" in p.groupindex for p in patterns):
            raise ValueError(f"{_RULES_FILE}: an outlet without a name needs (?P<outlet>...)")
        if name is not None:
            # A dropped line that is just the site name ("The New Indian Express").
            patterns += _compile([rf"^\s*{re.escape(str(name))}\s*$"], "outlets")
        trailing = bool(entry.get("trailing_name", True)) and name is not None
        outlets.append(_Outlet(None if name is None else str(name), patterns, trailing))
    return tuple(outlets)


def _parse_published(patterns: list[Any]) -> tuple[re.Pattern[str], ...]:
    for pattern in patterns:
        if str(pattern).count("<DATE>") != 1:
            raise ValueError(f"{_RULES_FILE}: published pattern needs one <DATE>: {pattern!r}")
    expanded = (str(p).replace("<DATE>", _DATE).replace("<TIME>", _TIME) for p in patterns)
    return _compile(expanded, "published_patterns")


@functools.cache
def _rules() -> _Rules:
    raw = resources.files("summarizer").joinpath(_RULES_FILE).read_text("utf-8")
    data = yaml.safe_load(raw)
    if not isinstance(data, dict):
        raise ValueError(f"{_RULES_FILE}: expected a mapping at the top level")
    cut_from = data.get("cut_from") or {}
    outlets = _parse_outlets(_section(data, "outlets"))
    outlet_names = [re.escape(o.name) for o in outlets if o.trailing_name and o.name]
    return _Rules(
        cut_always=_LineRules.of(_compile(_section(cut_from, "always"), "cut_from.always")),
        cut_tail=_LineRules.of(_compile(_section(cut_from, "tail"), "cut_from.tail")),
        tail_min_prose_fraction=float(cut_from.get("tail_min_prose_fraction", 0.5)),
        drop_lines=_LineRules.of(_compile(_section(data, "drop_lines"), "drop_lines")),
        drop_fragments=_compile(_section(data, "drop_fragments"), "drop_fragments"),
        trailing_drop_lines=_LineRules.of(
            _compile([*_section(data, "trailing_drop_lines"), *outlet_names], "trailing_drop_lines")
        ),
        outlets=outlets,
        published=_LineRules.of(_parse_published(_section(data, "published_patterns"))),
    )


# --- cleaning --------------------------------------------------------------------------

_CLOSING = "\"'”’»)]"


def _is_prose(line: str) -> bool:
    """A sentence-like line: a few words ending in sentence punctuation (closing quotes
    and brackets after it allowed)."""
    return line.rstrip(_CLOSING)[-1:] in (".", "!", "?", "…") and len(line.split()) >= 4


def _find_cut(lines: list[str], rules: _Rules) -> int | None:
    """Index of the line where trailing furniture starts, or None."""
    prose = [len(line) if _is_prose(line) else 0 for line in lines]
    total = sum(prose)
    before = 0
    for index, line in enumerate(lines):
        if line and before > 0:
            if rules.cut_always.match(line):
                return index
            if before >= rules.tail_min_prose_fraction * total and rules.cut_tail.match(line):
                return index
        before += prose[index]
    return None


def _strip_fragments(line: str, rules: _Rules) -> tuple[str, list[str]]:
    removed: list[str] = []

    def _drop(match: re.Match[str]) -> str:
        removed.append(match.group(0))
        return ""

    for pattern in rules.drop_fragments:
        line = pattern.sub(_drop, line)
    if removed:
        line = _SPACE_RUNS.sub(" ", line).strip()
    return line, removed


def _date_lines(lines: list[str], rules: _Rules) -> set[int]:
    """Indices of the header lines that give a date (they are dropped)."""
    return {i for i, line in enumerate(lines) if line and rules.published.match(line)}


def _published_hint(lines: list[str], indices: Iterable[int], rules: _Rules) -> dt.date | None:
    """The date of the best header line: earlier patterns win, then earlier lines."""
    for pattern in rules.published.patterns:
        for index in sorted(indices):
            if (match := pattern.fullmatch(lines[index])) and (date := _date_from(match)):
                return date
    return None


def _outlet_hint(dropped: list[str], rules: _Rules) -> str | None:
    for outlet in rules.outlets:
        for fragment in dropped:
            for pattern in outlet.patterns:
                if match := pattern.search(fragment):
                    if outlet.name is not None:
                        return outlet.name
                    if name := match.group("outlet").strip():
                        return name
    return None


def clean_text(text: str) -> CleanResult:
    """Strip page furniture off an article and normalise its whitespace.

    Paragraphs keep their order and come back one per line, stripped, with no blank
    lines between them; control characters go, non-breaking spaces become spaces.
    Furniture lines are removed by the rules in ``cleaning_rules.yaml``; body lines are
    never removed (a repeated headline or lead is kept as it is).
    """
    rules = _rules()
    lines = [line.strip() for line in _normalise(text).split("\n")]
    cut = _find_cut(lines, rules)
    head_end = len(lines) if cut is None else cut

    dated = _date_lines(lines[:head_end], rules)
    kept: list[tuple[int, str]] = []
    dropped: list[tuple[int, str]] = []
    for index, line in enumerate(lines[:head_end]):
        if not line:
            continue
        if index in dated or rules.drop_lines.match(line):
            dropped.append((index, line))
            continue
        if rules.cut_always.match(line):  # furniture with no body before it
            dropped.append((index, line))
            continue
        cleaned, fragments = _strip_fragments(line, rules)
        dropped.extend((index, fragment) for fragment in fragments)
        if fragments and cleaned and rules.drop_lines.match(cleaned):
            dropped.append((index, cleaned))  # "{{slot}} Advertisement"
        elif cleaned:
            kept.append((index, cleaned))

    while kept and rules.trailing_drop_lines.match(kept[-1][1]):
        dropped.append(kept.pop())
    dropped.extend((index, line) for index, line in enumerate(lines) if index >= head_end and line)
    dropped.sort(key=lambda item: item[0])  # stable: fragments keep their order in a line

    cleaned_text = "\n".join(line for _, line in kept)
    dropped_text = [fragment for _, fragment in dropped]
    return CleanResult(
        text=cleaned_text,
        removed_chars=len(text) - len(cleaned_text),
        dropped=tuple(dropped_text),
        outlet_hint=_outlet_hint(dropped_text, rules),
        published_hint=_published_hint(lines, dated, rules),
    )
