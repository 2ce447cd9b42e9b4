"""Markdown agendas (as Word-to-Markdown converters write them) into blocks.

The converters leave a mix of Markdown and HTML: ``#`` headings at uneven
levels, bold lines standing in for headings, ``<b>``/``<sup>`` tags, links,
hard line breaks (two trailing spaces or a backslash) and a footnote written
after a ``---`` rule as a bare number followed by its text.  Pandoc adds heading
attributes (``{#id}``), pipe tables, ``<!-- -->`` between lists and wide list
markers (``-   ``, ``1.  ``); older pandoc underlines headings (setext: ``===``,
``---``) and draws grid tables (``+----+``).  Text wrapped at a fixed width by an editor puts a
line break anywhere, also before a number ("… på mødet den" / "19. september
2024"), so a numbered line continues the paragraph or list item above it unless
it can start a list there (CommonMark's rule: only "1." interrupts a paragraph;
in a list the next number follows the previous one).  This module undoes the
markup and nothing else: deciding what a block *means* is the builder's job.
"""

from __future__ import annotations

import re

from kg.ingest.agenda_blocks import Block, Document, tidy, toc_entry

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_RULE = re.compile(r"^\s*(?:-\s*){3,}$|^\s*(?:\*\s*){3,}$|^\s*(?:_\s*){3,}$")
_BULLET = re.compile(r"^\s*[-*+•–]\s+(.*)$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_GRID_RULE = re.compile(r"^\s*\+(?:[-=:]+\+)+\s*$")
_NUMBERED = re.compile(r"^\s*(\d{1,3}|[a-zæøå])[.)]\s+(.*)$")
_ROW = re.compile(r"^\s*\|.*\|\s*$")
_ROW_RULE = re.compile(r"^\s*\|?(?:\s*:?-{2,}:?\s*\|)+\s*:?-{0,}:?\s*\|?\s*$")
_ATTRIBUTES = re.compile(r"\s*\{\s*[#.][^{}]*\}\s*$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
_SUP = re.compile(r"<sup>\s*([^<]*?)\s*</sup>", re.IGNORECASE)
_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_EMPH = re.compile(r"(?<![\w*])(\*{1,3}|_{1,3})(?=\S)|(?<=\S)(\*{1,3}|_{1,3})(?![\w*])")
_WRAPPED = re.compile(r"^(\*{1,3}|_{1,3})(.+?)\1$", re.DOTALL)


def _inline(raw: str) -> tuple[str, bool, bool, list[str], list[str]]:
    """Clean inline markup: ``(text, whole text bold, whole text italic, links, footnote labels)``."""
    notes: list[str] = []
    links: list[str] = []

    def sup(match: re.Match[str]) -> str:
        if match.group(1).isdigit() or re.fullmatch(r"[a-z*†]", match.group(1)):
            notes.append(match.group(1))
            return ""
        return match.group(1)

    def link(match: re.Match[str]) -> str:
        target = match.group(2)
        if target and not target.startswith("#"):
            links.append(target)
        return match.group(1)

    def autolink(match: re.Match[str]) -> str:
        links.append(match.group(1))
        return match.group(1)

    text = raw
    if "<" in text:
        text = _AUTOLINK.sub(autolink, _SUP.sub(sup, text))
    if "](" in text:
        text = _LINK.sub(link, text)
    if "<" in text:
        text = _TAG.sub("", text)
    text = tidy(text)
    strong = emphasis = False
    inner = text
    while (wrapped := _WRAPPED.match(inner)) and "\n" not in wrapped.group(2):
        marks = len(wrapped.group(1))
        strong, emphasis = strong or marks >= 2, emphasis or marks in (1, 3)
        inner = wrapped.group(2).strip()
    if "*" in text or "_" in text:
        text = tidy(_EMPH.sub("", text))
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    return text, strong, emphasis, links, notes


def _bold_html(raw: str) -> bool:
    """A line written wholly in ``<b>…</b>`` (the table of contents of some converters)."""
    stripped = re.sub(r"\s+", "", raw)
    return bool(stripped) and bool(re.fullmatch(r"(?:<b>[^<]*</b>)+", stripped, re.IGNORECASE))


def _follows(previous: str, label: str) -> bool:
    """Whether list label ``label`` comes right after ``previous`` (2 after 1, b after a)."""
    if previous.isdigit() and label.isdigit():
        return int(label) == int(previous) + 1
    if len(previous) == 1 and len(label) == 1 and previous.isalpha() and label.isalpha():
        return ord(label) == ord(previous) + 1
    return False


def _starts_list(label: str) -> bool:
    return label in {"1", "a"}


def _cells(line: str) -> list[str]:
    """A pipe-table row's cells (a ``\\|`` inside a cell is not a separator)."""
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [cell.replace("\\|", "|").strip() for cell in re.split(r"(?<!\\)\|", inner)]


def read_markdown(text: str) -> Document:
    """Split Markdown into blocks (headings, paragraphs, list items, TOC lines, table rows, footnotes)."""
    text = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    text = _BREAK_TAG.sub("\\\n", text)
    blocks: list[Block] = []
    current: list[str] = []
    kind, label, start = "para", "", 0
    level = 0      # a list item's indentation: 0 for a list's own items, 1.. for sub-points
    blank = True   # the previous line was blank (or there was none)
    lines_in_block = 0

    def flush() -> None:
        nonlocal current
        if current:
            raw = "".join(current)
            clean, strong, emphasis, links, notes = _inline(raw)
            entry = toc_entry(clean) if kind == "para" and "](#" in raw else None
            if entry is not None:   # a table of contents converted with links to its headings
                blocks.append(Block("toc", entry[1], start, label=entry[0], page=entry[2]))
                current = []
                return
            if clean or kind != "para":
                blocks.append(Block(kind, clean, start, label=label, strong=strong or _bold_html(raw),  # type: ignore[arg-type]
                                    emphasis=emphasis, links=links, notes=notes,
                                    level=level if kind in {"bullet", "number"} else 0))
        current = []

    def begin(new_kind: str, first: str, line: int, new_label: str = "") -> None:
        nonlocal kind, label, start, lines_in_block, level
        flush()
        kind, label, start = new_kind, new_label, line
        current.append(first)
        lines_in_block, level = 1, 0

    for number, line in enumerate(text.split("\n"), start=1):
        hard_break = line.endswith("  ") or line.endswith("\\")
        stripped = line.strip()
        was_blank, blank = blank, not stripped
        if not stripped:
            flush()
            continue
        if _SETEXT.match(stripped) and kind in {"para", "number"} and lines_in_block == 1 and current \
                and not was_blank:
            raw = ("" if kind == "para" else f"{label}. ") + "".join(current).strip()
            current.clear()
            clean, strong, emphasis, links, notes = _inline(_ATTRIBUTES.sub("", raw))
            if clean:
                blocks.append(Block("heading", clean, start, level=1 if stripped[0] == "=" else 2,
                                    strong=strong, emphasis=emphasis, links=links, notes=notes))
            continue
        if _GRID_RULE.match(stripped):
            flush()
            continue
        if heading := _HEADING.match(stripped):
            flush()
            clean, strong, emphasis, links, notes = _inline(_ATTRIBUTES.sub("", heading.group(2)))
            if clean:
                blocks.append(Block("heading", clean, number, level=len(heading.group(1)), strong=strong,
                                    emphasis=emphasis, links=links, notes=notes))
            continue
        if _RULE.match(stripped):
            flush()
            blocks.append(Block("para", "", number, label="---"))
            continue
        if _ROW.match(stripped):
            flush()
            if not _ROW_RULE.match(stripped):
                cells = [_inline(cell) for cell in _cells(stripped)]
                texts = [c[0] for c in cells]
                if any(texts):
                    blocks.append(Block("row", " | ".join(t for t in texts if t), number, cells=texts,
                                        strong=all(c[1] for c in cells if c[0]),
                                        links=[u for c in cells for u in c[3]]))
            continue
        if "\t" in stripped or re.search(r"\.{4,}", stripped):
            entry = toc_entry(_TAG.sub("", stripped))
            if entry is not None:
                flush()
                blocks.append(Block("toc", entry[1], number, label=entry[0], page=entry[2]))
                continue
        tail = "\n" if hard_break else " "
        bullet = _BULLET.match(line)
        numbered = _NUMBERED.match(line) if bullet is None else None
        if numbered is not None and current and not was_blank:
            # a wrapped line that happens to start with a number continues the text above it
            follows = kind == "number" and _follows(label, numbered.group(1))
            interrupts = kind == "para" and _starts_list(numbered.group(1)) and numbered.group(1).isdigit()
            if not (follows or interrupts):
                numbered = None
        elif numbered is not None and numbered.group(1).isalpha() and not _starts_list(numbered.group(1)) \
                and not (kind == "number" and _follows(label, numbered.group(1))):
            numbered = None   # "i. …" / "e) …" on their own are not the start of a lettered list
        indent = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())
        if bullet:
            begin("bullet", bullet.group(1).rstrip("\\") + tail, number)
            level = indent // 2
        elif numbered:
            begin("number", numbered.group(2).rstrip("\\") + tail, number, numbered.group(1))
            level = indent // 3
        elif current:
            current.append(stripped.rstrip("\\") + tail)
            lines_in_block += 1
        else:
            begin("para", stripped.rstrip("\\") + tail, number)
    flush()
    return Document(_footnotes(blocks), "line")


def _footnotes(blocks: list[Block]) -> list[Block]:
    """Turn ``---`` + bare label + text (how converters write a footnote) into footnote blocks."""
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.kind == "para" and block.label == "---" and not block.text:
            i += 1
            while i < len(blocks) and blocks[i].kind == "para":
                bare = re.fullmatch(r"(\d{1,3})", blocks[i].text)
                inline = re.fullmatch(r"(\d{1,3})\s+(.+)", blocks[i].text, re.DOTALL)
                if bare and i + 1 < len(blocks) and blocks[i + 1].kind == "para":
                    body = blocks[i + 1]
                    out.append(Block("footnote", body.text, blocks[i].line, label=bare.group(1),
                                     links=body.links))
                    i += 2
                elif inline:
                    out.append(Block("footnote", inline.group(2), blocks[i].line, label=inline.group(1),
                                     links=blocks[i].links))
                    i += 1
                else:
                    break
            continue
        out.append(block)
        i += 1
    return out
