"""The Word documents of the meeting corpus are what their recipes say: rebuilt from each
``NAME.recipe.toml``, every part of the document is the committed ``NAME.docx``'s, byte for byte (the
zip's own timestamps aside).  A recipe changed without rebuilding, or a document edited by hand,
fails here; and a recipe that cannot be followed says which file and step."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.corpus.meetings.build_docx import HERE, RecipeError, build, recipes, target


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize("recipe", recipes(), ids=lambda p: p.name)
def test_a_recipe_rebuilds_its_document(recipe: Path, tmp_path: Path) -> None:
    committed = target(recipe, HERE)
    assert committed.is_file(), f"{recipe.name} has no {committed.name} beside it"
    rebuilt = target(recipe, tmp_path)
    build(recipe).save(rebuilt)
    assert _parts(rebuilt) == _parts(committed)


def test_every_word_document_has_a_recipe() -> None:
    documents = {p.name for p in HERE.glob("*.docx")}
    assert documents == {target(r, HERE).name for r in recipes()}


@pytest.mark.parametrize(("steps", "said"), [
    ('[["no_such_step"]]', "steps[0]: unknown step 'no_such_step'"),
    ('[["heading"]]', "steps[0]: heading missing a required argument"),
    ('[["heading", 1, "Siden sidst"], ["save", "x.docx"]]', "steps[1]: unknown step 'save'"),
    ('["para"]', "steps[0]: a step is"),
])
def test_a_recipe_that_cannot_be_followed_names_its_step(steps: str, said: str, tmp_path: Path) -> None:
    recipe = tmp_path / "bad.recipe.toml"
    recipe.write_text(f'description = "x"\nflavour = "word"\ntitle = "x"\nsteps = {steps}\n',
                      encoding="utf-8")
    with pytest.raises(RecipeError) as raised:
        build(recipe)
    assert str(raised.value).startswith("bad.recipe.toml, ") and said in str(raised.value)
