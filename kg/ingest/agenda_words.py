"""The words agendas and minutes use for their parts and sections, matched the way people misspell them.

Part headings are a small closed set ("Baggrund", "Indstilling", "Sagsfremstilling", "Bilag",
and in minutes "Beslutning"), so a heading one or two letters off ("Sagsfremstiling",
"Bagrund") is still that part: a heading of at most three words is compared with each part name
by edit distance (insertions, deletions, substitutions and swaps of neighbours), allowing one
edit for names up to six letters and two for longer ones, and only a single clear best match
counts.  Section titles name the item type ("Drøftelsessager", "Sager til drøftelse").
"""

from __future__ import annotations

import re

from kg.iris import slugify

#: Part headings as written (lower case, without a trailing colon) to the fixed part slugs.
PARTS = {
    "baggrund": "baggrund", "indstilling": "indstilling", "indstillinger": "indstilling",
    "sagsfremstilling": "sagsfremstilling", "sagsbeskrivelse": "sagsfremstilling",
    "bilag": "bilag", "bilagsliste": "bilag",
    "beslutning": "beslutning", "beslutninger": "beslutning", "rådets beslutning": "beslutning",
    "boardets beslutning": "beslutning",
}
#: A section title (slugified) to its agenda-item-type slug.
ITEM_TYPES = {
    "siden-sidst": "siden-sidst", "eventuelt": "eventuelt",
    "droeftelsessag": "droeftelsessag", "droeftelsessager": "droeftelsessag",
    "sager-til-droeftelse": "droeftelsessag", "til-droeftelse": "droeftelsessag",
    "droeftelsespunkter": "droeftelsessag",
    "beslutningssag": "beslutningssag", "beslutningssager": "beslutningssag",
    "sager-til-beslutning": "beslutningssag", "til-beslutning": "beslutningssag",
    "beslutningspunkter": "beslutningssag",
    "orienteringssag": "orienteringssag", "orienteringssager": "orienteringssag",
    "sager-til-orientering": "orienteringssag", "til-orientering": "orienteringssag",
    "orienteringspunkter": "orienteringssag",
    "orientering": "orienteringssag", "droeftelse": "droeftelsessag", "beslutning": "beslutningssag",
}
_NUMBERING = re.compile(r"^\d+(?:\.\d+)*\.?\s+")


def distance(a: str, b: str, limit: int = 3) -> int:
    """Optimal string alignment distance (edits incl. swapping neighbours), capped at ``limit``."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) >= limit:
            return limit
        previous2, previous = previous, current
    return min(previous[-1], limit)


def _allowed(name: str) -> int:
    return 1 if len(name) <= 6 else 2


def fuzzy_key(text: str, table: dict[str, str]) -> str | None:
    """The value of the one key of ``table`` that ``text`` spells, exactly or nearly (see module doc)."""
    plain = " ".join(text.split()).casefold()
    if plain in table:
        return table[plain]
    if len(plain) < 4 or len(plain.split()) > 3:
        return None
    scored = sorted((distance(plain, name), name) for name in table if name[0] == plain[0])
    if not scored or scored[0][0] > _allowed(scored[0][1]):
        return None
    best = [name for d, name in scored if d == scored[0][0]]
    values = {table[name] for name in best}
    return values.pop() if len(values) == 1 else None


def part_of(text: str) -> str | None:
    """The part slug a heading names ("Sagsfremstiling:", "2.1.1 Baggrund"), else None."""
    plain = _NUMBERING.sub("", text.strip()).rstrip(" :.").strip()
    if not plain or len(plain) > 30:
        return None
    return fuzzy_key(plain, PARTS)


def item_type_of(title: str) -> str | None:
    """The agenda-item-type slug a section (or lone item) title names, else None."""
    slug = slugify(title)
    if slug in ITEM_TYPES:
        return ITEM_TYPES[slug]
    words = title.split()
    if 1 <= len(words) <= 3 and len(slug) >= 8:
        return fuzzy_key(title, {k.replace("-", " ").replace("oe", "ø").replace("aa", "å"): v
                                 for k, v in ITEM_TYPES.items()})
    return None
