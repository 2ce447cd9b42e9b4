"""Markdown agendas (as Word-to-Markdown converters write them) into blocks.

The converters leave a mix of Markdown and HTML: ``#`` headings at uneven
levels, bold lines standing in for headings, ``<b>``/``<sup>`` tags, links,
hard line breaks (two trailing spaces) and a footnote written after a ``---``
rule as a bare number followed by its text.  This module undoes the markup and
nothing else: deciding what a block *means* is the builder's job.
"""

from __future__ import annotations

import re

from kg.ingest.agenda_blocks import Block, Document, tidy, toc_entry

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_RULE = re.compile(r"^\s*(?:-\s*){3,}$|^\s*(?:\*\s*){3,}$|^\s*(?:_\s*){3,}$")
_BULLET = re.compile(r"^\s*[-*+•]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*(\d{1,3})[.)]\s+(.*)$")
_SUP = re.compile(r"<sup>\s*([^<]*?)\s*</sup>", re.IGNORECASE)
_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
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


def read_markdown(text: str) -> Document:
    """Split Markdown into blocks (headings, paragraphs, list items, TOC lines, footnotes)."""
    blocks: list[Block] = []
    current: list[str] = []
    kind, label, start = "para", "", 0

    def flush() -> None:
        nonlocal current
        if current:
            raw = "".join(current)
            clean, strong, emphasis, links, notes = _inline(raw)
            if clean or kind != "para":
                blocks.append(Block(kind, clean, start, label=label, strong=strong or _bold_html(raw),  # type: ignore[arg-type]
                                    emphasis=emphasis, links=links, notes=notes))
        current = []

    def begin(new_kind: str, first: str, line: int, new_label: str = "") -> None:
        nonlocal kind, label, start
        flush()
        kind, label, start = new_kind, new_label, line
        current.append(first)

    for number, line in enumerate(text.split("\n"), start=1):
        hard_break = line.endswith("  ") or line.endswith("\\")
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        if heading := _HEADING.match(stripped):
            flush()
            clean, strong, emphasis, links, notes = _inline(heading.group(2))
            if clean:
                blocks.append(Block("heading", clean, number, level=len(heading.group(1)), strong=strong,
                                    emphasis=emphasis, links=links, notes=notes))
            continue
        if _RULE.match(stripped):
            flush()
            blocks.append(Block("para", "", number, label="---"))
            continue
        if "\t" in stripped or re.search(r"\.{4,}", stripped):
            entry = toc_entry(_TAG.sub("", stripped))
            if entry is not None:
                flush()
                blocks.append(Block("toc", entry[1], number, label=entry[0], page=entry[2]))
                continue
        tail = "\n" if hard_break else " "
        if bullet := _BULLET.match(line):
            begin("bullet", bullet.group(1).rstrip("\\") + tail, number)
        elif numbered := _NUMBERED.match(line):
            begin("number", numbered.group(2).rstrip("\\") + tail, number, numbered.group(1))
        elif current:
            current.append(stripped.rstrip("\\") + tail)
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
