"""Cassettes: recorded LLM HTTP traffic, replayed offline (vcrpy).

The format follows pydantic-ai's: YAML, one cassette per test or fixture article,
JSON bodies stored as readable trees (``parsed_body``) with long text as ``|`` blocks,
headers kept by allowlist (Authorization and keys are never stored), and requests
matched on method, path and the *canonical* JSON body. A changed prompt, schema or
setting changes the body, so replay fails loudly instead of returning a stale answer.

Used by the test suite (through pytest-recording) and by ``summarizer eval --replay``
/ ``--record``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from summarizer.errors import ConfigurationError

__all__ = [
    "REQUEST_HEADERS",
    "RESPONSE_HEADERS",
    "CassetteMismatch",
    "canonical_body",
    "configure",
    "deserialize",
    "is_cassette_miss",
    "require_vcr",
    "serialize",
    "use_cassette",
    "vcr_config",
]

REQUEST_HEADERS = frozenset({"content-type", "accept"})
RESPONSE_HEADERS = frozenset({"content-type", "retry-after"})
SERIALIZER = "yaml"  # replaces vcrpy's own yaml serializer: files end in .yaml
MISS_HINT = (
    "the request does not match the recorded cassette (prompt, schema or settings changed?); "
    "re-record with `make record`"
)


class CassetteMismatch(AssertionError):
    """Replay found no recorded interaction for a request."""


def _literal_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(str, _literal_str)


def _body_text(body: Any) -> str | None:
    if body is None:
        return None
    if isinstance(body, bytes):
        return body.decode("utf-8", errors="replace")
    if isinstance(body, dict) and "string" in body:
        return _body_text(body["string"])
    return str(body)


def _tree(text: str | None) -> tuple[str, Any]:
    """('parsed_body', tree) for JSON, else ('body', text)."""
    if not text:
        return "body", text or ""
    try:
        parsed = json.loads(text)
    except ValueError:
        return "body", text
    # Message contents that are JSON themselves (the model's answer) become trees too.
    return "parsed_body", _expand(parsed)


def _expand(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _expand(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_expand(v) for v in node]
    if isinstance(node, str):
        # Message contents and long texts keep their newlines as `|` blocks; reflow JSON
        # one-liners so a reader sees fields on lines of their own.
        stripped = node.strip()
        if stripped.startswith("{") and stripped.endswith("}"):
            try:
                return {"__json_string__": _expand(json.loads(stripped))}
            except ValueError:
                return node
        return node.replace("\r\n", "\n")
    return node


def _collapse(node: Any) -> Any:
    if isinstance(node, dict):
        if set(node) == {"__json_string__"}:
            return json.dumps(_collapse(node["__json_string__"]), ensure_ascii=False)
        return {k: _collapse(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_collapse(v) for v in node]
    return node


def serialize(cassette_dict: dict[str, Any]) -> str:
    """vcrpy serializer: interactions as readable YAML."""
    interactions = []
    for item in cassette_dict["interactions"]:
        request, response = item["request"], item["response"]
        req_key, req_body = _tree(_body_text(request.get("body")))
        res_key, res_body = _tree(_body_text(response.get("body")))
        interactions.append(
            {
                "request": {
                    "method": request["method"],
                    "uri": request["uri"],
                    "headers": _allowed(request.get("headers", {}), REQUEST_HEADERS),
                    req_key: req_body,
                },
                "response": {
                    "status": response["status"],
                    "headers": _allowed(response.get("headers", {}), RESPONSE_HEADERS),
                    res_key: res_body,
                },
            }
        )
    document = {"interactions": interactions, "version": cassette_dict.get("version", 1)}
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def _to_text(part: dict[str, Any]) -> str:
    if "parsed_body" in part:
        return json.dumps(_collapse(part["parsed_body"]), ensure_ascii=False)
    return str(part.get("body") or "")


def deserialize(cassette_string: str) -> dict[str, Any]:
    """vcrpy deserializer: the inverse of :func:`serialize`."""
    document = yaml.safe_load(cassette_string) or {}
    interactions = []
    for item in document.get("interactions", []):
        request, response = item["request"], item["response"]
        interactions.append(
            {
                "request": {
                    "method": request["method"],
                    "uri": request["uri"],
                    "headers": {k: [v] if isinstance(v, str) else v
                                for k, v in request.get("headers", {}).items()},
                    "body": _to_text(request),
                },
                "response": {
                    "status": response["status"],
                    "headers": {k: [v] if isinstance(v, str) else v
                                for k, v in response.get("headers", {}).items()},
                    "body": {"string": _to_text(response).encode()},
                },
            }
        )  # fmt: skip
    return {"interactions": interactions, "version": document.get("version", 1)}


def _allowed(headers: dict[str, Any], allow: frozenset[str]) -> dict[str, Any]:
    kept = {}
    for name, value in headers.items():
        if name.lower() in allow:
            kept[name.lower()] = value[0] if isinstance(value, list) and len(value) == 1 else value
    return kept


def canonical_body(body: Any) -> Any:
    """The request body as a canonical value: parsed JSON, else the raw text."""
    text = _body_text(body)
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _match_body(r1: Any, r2: Any) -> None:
    if canonical_body(r1.body) != canonical_body(r2.body):
        raise AssertionError("request bodies differ")


def _scrub_request(request: Any) -> Any:
    for name in list(request.headers):
        if name.lower() not in REQUEST_HEADERS:
            del request.headers[name]
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    response["headers"] = {
        k: v for k, v in response.get("headers", {}).items() if k.lower() in RESPONSE_HEADERS
    }
    return response


def vcr_config() -> dict[str, Any]:
    """Keyword arguments for a vcr.VCR / pytest-recording's ``vcr_config`` fixture."""
    return {
        "serializer": SERIALIZER,
        "match_on": ["method", "path", "canonical_body"],
        "before_record_request": _scrub_request,
        "before_record_response": _scrub_response,
        "decode_compressed_response": True,
        "allow_playback_repeats": False,
    }


def configure(vcr: Any) -> None:
    """Register the serializer and matcher on a vcr.VCR instance."""
    import sys

    vcr.register_serializer(SERIALIZER, sys.modules[__name__])
    vcr.register_matcher("canonical_body", _match_body)


def is_cassette_miss(exc: BaseException) -> bool:
    """Whether an exception (or its causes) is vcrpy's 'no match in cassette' error."""
    seen: BaseException | None = exc
    while seen is not None:
        if type(seen).__name__ == "CannotOverwriteExistingCassetteException":
            return True
        if "does not match the recorded cassette" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def require_vcr() -> Any:
    """vcrpy, which only replay and recording need (the ``eval`` extra); a
    :class:`~summarizer.errors.ConfigurationError` naming the extra if it is missing."""
    try:
        import vcr
    except ImportError as error:
        raise ConfigurationError(
            f"replaying or recording cassettes needs vcrpy ({error}): "
            "pip install 'summarizer[eval]'"
        ) from error
    return vcr


@contextmanager
def use_cassette(path: Path, *, record: bool) -> Iterator[Any]:
    """Replay (``record=False``: network never used, every interaction must be used)
    or record (``record=True``: new interactions written) the cassette at ``path``."""
    vcrpy = require_vcr()
    config = vcr_config()
    repeats = config.pop("allow_playback_repeats")
    recorder = vcrpy.VCR(**config)
    configure(recorder)
    mode = "all" if record else "none"
    if not record and not path.is_file():
        raise CassetteMismatch(
            f"no cassette at {path}; record it with `make record` (fixtures) or "
            "`summarizer eval --live --record` (with the same --set or --cassette-dir)"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    if record:
        path.unlink(missing_ok=True)  # re-record from scratch, as `--record-mode=rewrite`
    with recorder.use_cassette(
        str(path), record_mode=mode, allow_playback_repeats=repeats
    ) as cassette:
        yield cassette
        if not record and not cassette.all_played:
            raise CassetteMismatch(f"{path}: not every recorded interaction was used; {MISS_HINT}")
