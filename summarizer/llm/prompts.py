"""Prompt templates: loading, hashing and rendering.

Templates are files, ``prompts/<task>/<version>.system.j2`` and ``<version>.user.j2``,
with an optional worked example as one user/assistant turn in between
(``<version>.example.user.j2`` and ``<version>.example.assistant.j2``), shipped inside
the wheel (as ``summarizer/_prompts``) and read from the repository's
``prompts/`` in a source checkout. They are rendered in a sandboxed Jinja environment
with ``StrictUndefined``: a missing variable is an error, never an empty string.
The article is passed as data and fenced; the field guide is generated from the
schema's descriptions so prompt and schema cannot drift apart.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel

from summarizer.errors import ConfigurationError

__all__ = [
    "Prompt",
    "defuse_fence",
    "fence_article",
    "fence_metadata",
    "field_guide",
    "field_tree",
    "load_prompt",
    "prompts_dir",
    "template_environment",
]

_FENCE = "<<<ARTICLE>>>"
_FENCE_END = "<<<END ARTICLE>>>"


@functools.cache
def prompts_dir() -> Path:
    """The prompt directory: packaged copy if installed as a wheel, else the repo's."""
    package = Path(__file__).parents[1]
    packaged = package / "_prompts"
    return packaged if packaged.is_dir() else package.parent / "prompts"


@functools.cache
def template_environment(root: Path) -> SandboxedEnvironment:
    """The sandboxed Jinja environment every prompt template of ``root`` renders in (the
    one-shot prompts here, the step pipeline's in :mod:`summarizer.extraction`)."""
    return SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(root),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass(frozen=True)
class Prompt:
    """A versioned pair of system and user templates."""

    name: str
    version: str
    system_source: str
    user_source: str
    root: Path
    example_sources: tuple[str, str] | None = None

    @property
    def sha256(self) -> str:
        """First 16 hex digits of the SHA-256 of all its templates."""
        parts = [self.system_source, self.user_source, *(self.example_sources or ())]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]

    @functools.cached_property
    def _templates(self) -> list[tuple[str, jinja2.Template]]:
        """(role, template) per message, compiled once from the sources that
        :attr:`sha256` hashes (so the hash always describes what is rendered)."""
        env = template_environment(self.root)
        sources = [("system", self.system_source)]
        if self.example_sources is not None:
            sources += [("user", self.example_sources[0]), ("assistant", self.example_sources[1])]
        sources.append(("user", self.user_source))
        return [(role, env.from_string(source)) for role, source in sources]

    def render(self, **variables: Any) -> list[dict[str, str]]:
        """The chat messages for these variables (all of them must be given)."""
        try:
            return [
                {"role": role, "content": template.render(variables).strip()}
                for role, template in self._templates
            ]
        except jinja2.UndefinedError as exc:
            raise ConfigurationError(
                f"prompt {self.name}/{self.version} needs a variable that was not given: {exc}"
            ) from exc


def load_prompt(name: str = "extract", version: str = "v1") -> Prompt:
    """Load a prompt by task name and version; ConfigurationError names what exists.

    Read once per process: the templates ship with the package and every article of a
    batch uses the same prompt.
    """
    return _load_prompt(prompts_dir(), name, version)


@functools.cache
def _load_prompt(root: Path, name: str, version: str) -> Prompt:
    if not re.fullmatch(r"v\d+", version) or not re.fullmatch(r"[a-z_]+", name):
        raise ConfigurationError(f"invalid prompt name/version {name!r}/{version!r}")
    system = root / name / f"{version}.system.j2"
    user = root / name / f"{version}.user.j2"
    if not system.is_file() or not user.is_file():
        found = sorted(
            (p.name.split(".")[0] for p in (root / name).glob("v*.system.j2")),
            key=lambda v: int(v[1:]) if v[1:].isdigit() else 0,
        )
        raise ConfigurationError(
            f"no prompt {name}/{version} in {root}; available versions: "
            f"{', '.join(found) or 'none'} (set SUMMARIZER_PROMPT_VERSION)"
        )
    example_user = root / name / f"{version}.example.user.j2"
    example_answer = root / name / f"{version}.example.assistant.j2"
    example = None
    if example_user.is_file() and example_answer.is_file():
        example = (example_user.read_text("utf-8"), example_answer.read_text("utf-8"))
    return Prompt(name, version, system.read_text("utf-8"), user.read_text("utf-8"), root, example)


def fence_article(text: str) -> str:
    """Fence the article as data; fence markers inside the text are defused."""
    safe = text.replace(_FENCE, "<<ARTICLE>>").replace(_FENCE_END, "<<END ARTICLE>>")
    return f"{_FENCE}\n{safe}\n{_FENCE_END}"


_ANGLE_RUN = re.compile(r"<{3,}|>{3,}")


def defuse_fence(text: str) -> str:
    """``text`` with every run of three or more angle brackets cut to two, so that it
    can neither close the article fence nor open a look-alike of it."""
    return _ANGLE_RUN.sub(lambda match: match.group(0)[:2], text)


def fence_metadata(value: str | None) -> str | None:
    """Page metadata (title, outlet) for inside the fence: one line, defused."""
    if value is None:
        return None
    return defuse_fence(" ".join(value.split())) or None


@functools.cache
def field_guide(model: type[BaseModel]) -> str:
    """One line per field, 'path: description', walking nested models and lists.

    A nested model met a second time is not expanded again (actor2 refers to actor1).
    Made once per model class (a class's fields do not change).
    """
    lines: list[str] = []
    _walk(model, "", lines, {})
    return "\n".join(lines)


@functools.cache
def field_tree(model: type[BaseModel]) -> str:
    """The field guide as an indented tree: 'name: description', children indented.

    The same descriptions as :func:`field_guide` without repeating each field's full
    path (``events[].fatalities.breakdown[].side`` is ``side`` under ``breakdown[]``),
    which makes it about a tenth shorter in tokens. A list of objects is marked ``[]``.
    Used by prompt v4, an experiment that the embedded model did worse with than v1
    (docs/eval/2026-12-02).
    """
    lines: list[str] = []
    _walk_tree(model, 0, lines, {})
    return "\n".join(lines)


def _walk_tree(
    model: type[BaseModel], depth: int, lines: list[str], seen: dict[type[BaseModel], str]
) -> None:
    pad = "  " * depth
    for name, field in model.model_fields.items():
        nested = _nested_model(field.annotation)
        label = f"{name}[]" if nested is not None and "list[" in str(field.annotation) else name
        if nested is not None and nested in seen:
            lines.append(f"{pad}{label}: {field.description} Same fields as {seen[nested]}.")
            continue
        lines.append(f"{pad}{label}: {field.description}")
        if nested is not None:
            seen[nested] = name
            _walk_tree(nested, depth + 1, lines, seen)


def _walk(
    model: type[BaseModel], prefix: str, lines: list[str], seen: dict[type[BaseModel], str]
) -> None:
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        nested = _nested_model(field.annotation)
        if nested is not None and nested in seen:
            lines.append(f"- {path}: {field.description} Same fields as {seen[nested]}.")
            continue
        if field.description:
            lines.append(f"- {path}: {field.description}")
        if nested is not None:
            seen[nested] = path
            suffix = "[]." if "list[" in str(field.annotation) else "."
            _walk(nested, path + suffix, lines, seen)


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None
