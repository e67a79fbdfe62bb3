"""What the article says about itself, read by code: wire, dateline, language, title.

Each value is taken from the article's own text (or the page's metadata), so none can
come from a prompt example or the model's memory.
"""

from __future__ import annotations

import functools
import re

__all__ = ["dateline_of", "is_wire", "language_name", "language_of", "title_of", "wire_of"]

# News agencies whose name in the copy marks them as its author.
_WIRES = {
    "AFP": r"AFP|Agence France-Presse",
    "Reuters": r"Reuters",
    "AP": r"AP|Associated Press",
    "Xinhua": r"Xinhua",
    "Anadolu": r"Anadolu(?: Agency)?|AA",
    "dpa": r"dpa|DPA",
    "EFE": r"EFE",
    "Lusa": r"Lusa",
    "ANSA": r"ANSA",
    "UPI": r"UPI",
    "PTI": r"PTI",
    "IANS": r"IANS",
    "Bernama": r"Bernama",
    "Kyodo": r"Kyodo",
    "Yonhap": r"Yonhap",
    "TASS": r"TASS",
    "Europa Press": r"Europa Press",
}
_WIRE_NAME = re.compile(r"(?:the\s+)?(?:" + "|".join(_WIRES.values()) + r"|ANI)")


def is_wire(name: str) -> bool:
    """Whether ``name`` is a news agency's (who filed a story, not who gave its figures)."""
    return _WIRE_NAME.fullmatch(name.strip()) is not None


_BYLINE = re.compile(
    r"\((" + "|".join(_WIRES.values()) + r")\)"  # "(AFP) -" after a dateline
    r"|^\s*(?:By\s+.*?\s*[,|/]\s*)?(" + "|".join(_WIRES.values()) + r")\s*$"  # a byline line
    r"|\b(?:Copyright|©)\s*(?:\d{4}\s*)?(" + "|".join(_WIRES.values()) + r")\b"
    r"|\b(" + "|".join(_WIRES.values()) + r")\s+(?:reported|contributed|reporting|reporters?|"
    r"correspondents?|journalists?|photographers?)\b"
    r"|\b(?:told|an?)\s+(" + "|".join(_WIRES.values()) + r")\b",
    re.MULTILINE,
)
_DATELINE = re.compile(
    r"^\s*([A-ZÀ-Ý][A-ZÀ-Ý'’.\- ]{1,30}[A-ZÀ-Ý])"  # BEIRUT, EL-FASHER, PORT-AU-PRINCE
    r"(?:,\s*[A-Z0-9][\w .]{1,30}?){0,3}"  # , Sudan / , Nov. 3 / , Gro., 14 de mayo.
    r"\s*(?:\([^)]{1,40}\))?\s*[-—–:]",
    re.MULTILINE,
)


def wire_of(text: str) -> str | None:
    """The agency the copy names as its author ("(AFP) —", a byline, "© Reuters")."""
    match = _BYLINE.search(text[:2000]) or _BYLINE.search(text[-1500:])
    if not match:
        return None
    found = next(group for group in match.groups() if group)
    for name, pattern in _WIRES.items():
        if re.fullmatch(pattern, found):
            return found if found in text else name
    return found


_WIRE_DATELINE = re.compile(
    r"^\s*([A-ZÀ-Ý][\w'’.\-]+(?: [A-ZÀ-Ý][\w'’.\-]+){0,3})\s*(?:,\s*[\w .]{1,30}?)?\s*"
    r"\((?:" + "|".join(_WIRES.values()) + r")\)\s*[-—–:]",
    re.MULTILINE,
)


def dateline_of(text: str) -> str | None:
    """The dateline place at the start of a paragraph among the first ones, as written."""
    head = "\n".join(text.split("\n")[:4])
    match = _DATELINE.search(head) or _WIRE_DATELINE.search(head)
    if not match:
        return None
    place = match.group(1).strip()
    words = place.replace("-", " ").split()
    if not words or any(len(w) > 20 for w in words) or len(words) > 4:
        return None
    return place


def title_of(text: str, page_title: str | None) -> str | None:
    """The page's title, else the article's first line when it reads as a headline."""
    if page_title and page_title.strip():
        return page_title.strip()[:200]
    first = text.strip().split("\n", 1)[0].strip()
    if 3 <= len(first.split()) <= 25 and not first.endswith((".", ":", ",")) and len(first) <= 200:
        return first
    return None


def language_name(code: str) -> str | None:
    """The English name of an ISO 639-1 language code ("fr" -> "French"), from
    ``pycountry``; None for English, an unknown code or one that is not two letters."""
    if code == "en" or not re.fullmatch(r"[a-z]{2}", code):
        return None
    import pycountry

    language = pycountry.languages.get(alpha_2=code)
    return str(language.name) if language is not None else None


@functools.lru_cache(maxsize=256)
def language_of(text: str) -> str:
    """ISO 639-1 code of the text's language (``py3langid``); 'en' for too little text."""
    if len(text.strip()) < 20:
        return "en"
    import py3langid

    code, _ = py3langid.classify(text[:4000])
    return str(code)
