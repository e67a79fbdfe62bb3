"""SCRIPTED FAKE answers to the step pipeline's questions (prompt v6): NOT a model.

THIS IS A FAKE. Each answer is built mechanically from the request, by keyword rules,
so that tests of the *plumbing* (batch rounds, drivers, fake-server tests) can run the
default step pipeline end to end. It says nothing about extraction quality (the live
eval measures that), and its answers must never be presented as model output.

Which question a request asks is read from its ``response_format`` (the JSON Schema's
name: ``Classification``, ``EventDetails``, ``SummaryDraft``); the article from the
numbered sentences (``[N] text``) fenced in the user message:

* ``Classification``: a label per sentence asked about (the schema's property names),
  by keywords: protest, explosion, battle, attack_on_civilians, development, else
  background;
* ``EventDetails``: for the event's sentences (quoted in the question, or named there
  by number): the place after "in/near/at", a sub-event type by keywords (the schema's
  first option when it does not offer that one), the first two sides named by a known
  word (troops, rebels, police...), the first figure the schema offers (when it offers
  any) and the "X said" source;
* ``SummaryDraft``: a fixed neutral two-sentence summary, with no figures.

The same request always gets the same answer.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["STEP_SCHEMAS", "fake_step_answer", "step_schema_of"]

#: The names of the step answers' JSON Schemas (``response_format.json_schema.name``).
STEP_SCHEMAS = frozenset({"Classification", "EventDetails", "SummaryDraft"})

_FENCED = re.compile(r"<<<ARTICLE>>>\n(.*?)\n<<<END ARTICLE>>>", re.DOTALL)
_NUMBERED = re.compile(r"^\[(\d+)\] (.*)$", re.MULTILINE)
_ASKED = re.compile(r"reported in sentences ((?:\[\d+\](?:, )?)+)")
_PROTEST = re.compile(r"\b(?:protest\w*|demonstrat\w*|rall(?:y|ies)|march\w*)\b", re.I)
_AIR = re.compile(r"\b(?:air ?strikes?|airstrikes?|drones?|warplanes?)\b", re.I)
_EXPLOSIVE = re.compile(
    r"\b(?:shell\w*|artillery|missiles?|rockets?|bomb\w*|explosi\w+|mortars?|grenades?)\b", re.I
)
_BATTLE = re.compile(r"\b(?:clash\w*|fight\w*|battl\w*|gunfight|seiz\w*|captur\w*)\b", re.I)
_ATTACK = re.compile(r"\b(?:kill\w*|attack\w*|abduct\w*|kidnap\w*|shot|massacre\w*)\b", re.I)
_DEVELOPMENT = re.compile(r"\b(?:arrest\w*|detain\w*|ceasefire|agreement|truce)\b", re.I)
_PLACE = re.compile(r"\b(?:in|near|at) ([A-Z][\w'-]+(?: [A-Z][\w'-]+)?)")
_SOURCE = re.compile(r"[,;] ((?:an? |the )?[\w ]{2,40}?) (?:said|says|reported)\b")
_SIDES = (
    (re.compile(r"\b(?:troops|soldiers|army|military|security forces)\b", re.I), "state_forces"),
    (re.compile(r"\bpolice\b", re.I), "state_forces"),
    (re.compile(r"\b(?:rebels?|insurgents?|militants?|fighters|jihadists?)\b", re.I),
     "rebel_group"),
    (re.compile(r"\bgunmen\b", re.I), "external_other_forces"),
    (re.compile(r"\b(?:protesters|demonstrators)\b", re.I), "protesters"),
    (re.compile(r"\b(?:civilians|residents|villagers)\b", re.I), "civilians"),
)  # fmt: skip


def step_schema_of(body: dict[str, Any]) -> str | None:
    """The step a chat completion request asks (its schema's name), None for another."""
    response_format = body.get("response_format") or {}
    name = (response_format.get("json_schema") or {}).get("name")
    return name if name in STEP_SCHEMAS else None


def _user_text(body: dict[str, Any]) -> str:
    users = [m.get("content") for m in body.get("messages", []) if m.get("role") == "user"]
    return str(users[-1]) if users else ""


def _sentences(user: str) -> dict[int, str]:
    fenced = _FENCED.search(user)
    return {int(n): text for n, text in _NUMBERED.findall(fenced.group(1) if fenced else "")}


def _label(sentence: str) -> str:
    if _PROTEST.search(sentence):
        return "protest"
    if _AIR.search(sentence) or _EXPLOSIVE.search(sentence):
        return "explosion"
    if _BATTLE.search(sentence):
        return "battle"
    if _ATTACK.search(sentence):
        return "attack_on_civilians"
    if _DEVELOPMENT.search(sentence):
        return "development"
    return "background"


def _sub_event_type(text: str) -> str:
    if _PROTEST.search(text):
        return "peaceful_protest"
    if _AIR.search(text):
        return "air_drone_strike"
    if _EXPLOSIVE.search(text):
        return "shelling_artillery_missile_attack"
    if _BATTLE.search(text):
        return "armed_clash"
    if _ATTACK.search(text):
        return "attack"
    if _DEVELOPMENT.search(text):
        return "arrests"
    return "other"


def _sides(text: str) -> list[dict[str, str]]:
    found = []
    for pattern, actor_type in _SIDES:
        match = pattern.search(text)
        if match:
            found.append((match.start(), {"name": match.group(0), "type": actor_type}))
    return [side for _, side in sorted(found, key=lambda pair: pair[0])][:2]


def _figures(schema: dict[str, Any]) -> list[int] | None:
    """The figures the schema offers for ``fatalities`` (None: no such field)."""
    field = (schema.get("properties") or {}).get("fatalities")
    if field is None:
        return None
    options = field.get("anyOf") or [field]
    return [
        value
        for option in options
        for value in option.get("enum", [option["const"]] if "const" in option else [])
    ]


def _allowed(choice: str, schema: dict[str, Any], name: str) -> str:
    """``choice`` if the schema allows it for field ``name``, else its first option."""
    field = (schema.get("properties") or {}).get(name) or {}
    options = field.get("enum") or ([field["const"]] if "const" in field else [])
    return choice if not options or choice in options else str(options[0])


def _details(own: str, schema: dict[str, Any]) -> dict[str, Any]:
    place = _PLACE.search(own)
    sides = _sides(own)
    source = _SOURCE.search(own)
    answer: dict[str, Any] = {
        "place": place.group(1) if place else "the area",
        "sub_event_type": _allowed(_sub_event_type(own), schema, "sub_event_type"),
        "actor1": sides[0] if sides else {"name": "unidentified gunmen", "type": "rebel_group"},
        "actor2": sides[1] if len(sides) > 1 else None,
    }
    figures = _figures(schema)
    if figures is not None:
        answer["fatalities"] = figures[0] if figures else None
    answer["source"] = source.group(1) if source else None
    return answer


def fake_step_answer(body: dict[str, Any]) -> dict[str, Any] | None:
    """The FAKE answer to a step question, or None if the request asks no step."""
    name = step_schema_of(body)
    if name is None:
        return None
    schema = body["response_format"]["json_schema"].get("schema") or {}
    user = _user_text(body)
    sentences = _sentences(user)
    if name == "Classification":
        return {key: _label(sentences.get(int(key), "")) for key in schema.get("properties", {})}
    if name == "EventDetails":
        # the event's sentences: quoted in the question ("[2] ..." lines after the
        # article), or named by number ("reported in sentences [2], [3]")
        question = user.rpartition("<<<END ARTICLE>>>")[2]
        quoted = [text for _, text in _NUMBERED.findall(question)]
        asked = _ASKED.search(question)
        ids = [int(n) for n in re.findall(r"\d+", asked.group(1))] if asked else []
        own = quoted or [sentences.get(i, "") for i in ids]
        return _details(" ".join(own), schema)
    return {
        "headline": "Violence reported in the area",
        "text": "The article reports violence in the area it names. "
        "The details are attributed to the sources it cites.",
    }
