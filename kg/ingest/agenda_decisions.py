"""Minutes: the council's decision on an item, from the item's "Beslutning" part.

The part is read as a whole (it is the decision's text), and paragraph by paragraph for its
outcome (:mod:`agenda_outcomes`): the first paragraph that states one gives it, and what follows
that paragraph (more paragraphs, or the list after "… med følgende bemærkninger:") are the
remarks the decision was taken with.  A decision worded in a way no outcome fits is kept with
the outcome "other" and a warning; nothing is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from kg.ingest.agenda_outcomes import OTHER, outcome_of, sentences
from kg.ingest.agenda_parse import Item


@dataclass
class ItemDecision:
    """What the minutes say the body decided on one item."""

    line: int
    outcome: str
    #: The sentence that states the outcome (for "other": the decision's first sentence), as written.
    stated: str
    #: The paragraphs and list items the decision consists of, as written.
    paragraphs: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)


def read_decision(item: Item, warn: Callable[[int, str], None]) -> ItemDecision | None:
    """The decision in an item's "Beslutning" part; None when it has no such part or an empty one."""
    part = item.parts.get("beslutning")
    if part is None or not part.content():
        return None
    blocks = part.content()
    paragraphs = [b.text for b in blocks]
    for index, block in enumerate(blocks):
        found = outcome_of(block.text)
        if found is not None:
            remarks = [b.text for b in blocks[index + 1:]]
            return ItemDecision(block.line, found[0], found[1], paragraphs, remarks)
    first = sentences(blocks[0].text)
    stated = first[0] if first else blocks[0].text
    warn(blocks[0].line, f"item {item.number}: the decision '{stated[:60]}' states no outcome kg knows "
                         "(godkendt, taget til efterretning, drøftet, udsat, afvist, trukket tilbage); "
                         "kept as 'andet'")
    return ItemDecision(blocks[0].line, OTHER, stated, paragraphs, [])
