"""Builds the corpus's Word documents (constructed test documents, not real agendas or minutes).

Each document's content is data, ``NAME.recipe.toml`` beside ``NAME.docx``: its description, the
``flavour`` and ``title`` the :class:`Builder` starts from, and ``steps``, each a Builder method's name
and its arguments in order, ended by an optional inline table of keyword arguments::

    ["para", "IT-ARKITEKTURRÅDET", {marks = "b"}]

Run ``python -m tests.corpus.meetings.build_docx [FOLDER]`` from the repository root to rebuild them
(beside their recipes, or into FOLDER); each has its ``.expected.toml`` beside it, written by hand from
the document's text in its recipe.
"""

from __future__ import annotations

import inspect
import sys
import tomllib
from pathlib import Path

from tests.corpus.meetings.docx_builder import Builder

HERE = Path(__file__).parent
SUFFIX = ".recipe.toml"
KEYS = {"description": str, "flavour": str, "title": str, "steps": list}

#: The Builder methods a recipe may call: what a document says and how its producer shaped it.
STEPS = frozenset({"number_headings", "define_list", "restart_list", "page_header", "para", "split_para",
                   "append_run", "heading", "numbered", "styled_list", "toc", "table", "page_break"})


class RecipeError(ValueError):
    """A recipe that cannot be followed; the message names the file and, where it is one, the step."""


def recipes(folder: Path = HERE) -> list[Path]:
    return sorted(folder.glob(f"*{SUFFIX}"))


def target(recipe: Path, folder: Path) -> Path:
    """Where a recipe's document is saved: its name with ``.docx`` for the recipe suffix."""
    return folder / (recipe.name.removesuffix(SUFFIX) + ".docx")


def build(recipe: Path) -> Builder:
    """The document a recipe describes, with every step applied in order."""
    data = _read(recipe)
    try:
        builder = Builder(data["flavour"], data["title"])
    except ValueError as exc:
        raise RecipeError(f"{recipe.name}: {exc}") from exc
    for index, step in enumerate(data["steps"]):
        _apply(builder, step, f"{recipe.name}, steps[{index}]")
    return builder


def _read(recipe: Path) -> dict[str, object]:
    """The recipe's table, refused unless it has exactly the known keys with values of their types."""
    try:
        data = tomllib.loads(recipe.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RecipeError(f"{recipe.name}: {exc}") from exc
    if set(data) != set(KEYS):
        raise RecipeError(f"{recipe.name}: keys must be {sorted(KEYS)}, not {sorted(data)}")
    for key, kind in KEYS.items():
        if not isinstance(data[key], kind):
            raise RecipeError(f"{recipe.name}: {key} must be a {kind.__name__}")
    return data


def _apply(builder: Builder, step: object, where: str) -> None:
    """Calls the step's Builder method; a step that is not one, or whose arguments do not fit, is refused."""
    if not isinstance(step, list) or not step or not isinstance(step[0], str):
        raise RecipeError(f"{where}: a step is [name, arguments…, {{keyword = value}}], not {step!r}")
    name, *args = step
    keywords = args.pop() if args and isinstance(args[-1], dict) else {}
    if name not in STEPS:
        raise RecipeError(f"{where}: unknown step {name!r}; the steps are {', '.join(sorted(STEPS))}")
    method = getattr(builder, name)
    try:
        inspect.signature(method).bind(*args, **keywords)
    except TypeError as exc:
        raise RecipeError(f"{where}: {name} {exc}") from exc
    try:
        method(*args, **keywords)
    except (LookupError, ValueError, TypeError) as exc:
        raise RecipeError(f"{where}: {name} failed: {exc}") from exc


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        raise SystemExit("usage: python -m tests.corpus.meetings.build_docx [FOLDER]")
    folder = Path(argv[0]) if argv else HERE
    for recipe in recipes():
        path = target(recipe, folder)
        build(recipe).save(path)
        print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
