"""The record's models and the published JSON Schema."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from summarizer.schema import (
    SUB_EVENT_TYPES,
    ArticleReport,
    EventDraft,
    EventType,
    Extraction,
    SubEventType,
    Summary,
    fit_summary,
    parent_event_type,
)
from summarizer.schemafile import report_schema, schema_path

from .records import event_data, extraction_data, report


def test_published_schema_matches_the_models() -> None:
    committed = json.loads(schema_path().read_text("utf-8"))
    assert committed == report_schema(), (
        "schemas/ drifted from the models: run `python -m summarizer.schemafile`"
    )


@pytest.mark.parametrize("schema", [report_schema(), Extraction.model_json_schema()])
def test_every_field_has_a_description(schema: dict[str, object]) -> None:
    """Descriptions are part of the prompt. (pydantic leaves a field's description on the
    referenced definition when the two are equal, so a $ref may carry it there.)"""
    definitions = schema.get("$defs", {})
    assert isinstance(definitions, dict)

    def described(prop: dict[str, object]) -> bool:
        ref = prop.get("$ref")
        if isinstance(ref, str):
            return "description" in prop or "description" in definitions[ref.split("/")[-1]]
        return "description" in prop

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            for name, prop in node.get("properties", {}).items():
                assert described(prop), f"{path}.{name} has no description"
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for item in node:
                walk(item, path)

    walk(schema, "root")


def test_models_forbid_extra_keys() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        EventDraft.model_validate(event_data(confidence=0.9))


def test_every_sub_event_type_has_exactly_one_parent() -> None:
    listed = [sub for subs in SUB_EVENT_TYPES.values() for sub in subs]
    assert sorted(listed) == sorted(SubEventType)
    assert parent_event_type(SubEventType.air_drone_strike) is EventType.explosions_remote_violence


def test_sub_event_type_must_belong_to_event_type() -> None:
    with pytest.raises(ValidationError, match="belongs to event_type"):
        EventDraft.model_validate(event_data(sub_event_type="air_drone_strike"))


def test_lists_and_strings_are_bounded_for_constrained_decoding() -> None:
    schema = Extraction.model_json_schema()
    event = schema["$defs"]["EventDraft"]["properties"]
    assert event["evidence"]["maxItems"] == 3
    assert schema["properties"]["events"]["maxItems"] == 8
    assert schema["$defs"]["Summary"]["properties"]["text"]["maxLength"] == 900


def test_summary_longer_than_four_sentences_is_cut_to_whole_sentences() -> None:
    text = " ".join(f"Sentence number {i} says little." for i in range(1, 7))
    extraction = Extraction.model_validate(extraction_data(text=text))
    assert extraction.summary.text.count(".") == 4
    assert extraction.summary.text.endswith("Sentence number 4 says little.")
    assert fit_summary(text) == (
        extraction.summary.text,
        "summary cut from 6 to 4 sentences (30 words) to fit 4 sentences / 120 words",
    )
    assert fit_summary(extraction.summary.text) == (extraction.summary.text, None)


def test_one_sentence_summary_is_rejected() -> None:
    with pytest.raises(ValidationError, match="2 to 4 sentences"):
        Extraction.model_validate(extraction_data(text="Only one sentence here."))


def test_report_round_trips_through_json() -> None:
    original = report()
    again = ArticleReport.model_validate_json(original.model_dump_json())
    assert again == original


def test_the_codebook_stays_public_through_schema() -> None:
    """The tables moved to summarizer/_codebook.py; users keep importing them from
    summarizer.schema, and get the same objects."""
    import summarizer._codebook as codebook
    from summarizer import schema

    for name in codebook.__all__:
        assert name in schema.__all__
        assert getattr(schema, name) is getattr(codebook, name)


def test_a_summary_within_its_words_but_past_900_characters_is_cut_to_whole_sentences() -> None:
    long_words = " ".join(["internationally-coordinated"] * 12)
    sentences = [f"Sentence {i} has {long_words}." for i in range(1, 4)]
    text = " ".join(sentences)
    assert len(text.split()) <= 120 and len(text) > 900
    fitted, note = fit_summary(text)
    assert fitted == " ".join(sentences[:2])
    assert note is not None and note.endswith("/ 900 characters")
    assert Summary(headline="h", text=fitted).text == fitted
