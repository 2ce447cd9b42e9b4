"""Word agendas (.docx) into blocks, with python-docx.

The secretariat writes agendas in Word, so the structure is in paragraph
styles (``Heading n``/``Overskrift n``, list styles, ``TOC n``, ``Footnote
Text``), in numbering (``w:numPr`` on the paragraph or its style, counted by
:mod:`agenda_numbering`: a heading numbered by a multilevel list gets its
printed "2.3." in front of its text, a list item its label) and in run
formatting (a wholly bold line used as a heading, superscript footnote
markers).  Real Word footnotes (``footnotes.xml``) are read too and placed right
after the paragraph that refers to them.  Tables (a header laid out in a table,
case number and officer in a table) become one block per row, cells kept apart.
Content controls (``w:sdt``) around paragraphs are looked into.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from kg.ingest.agenda_blocks import AgendaError, Block, BlockKind, Document, tidy, toc_entry
from kg.ingest.agenda_numbering import Numbering

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _q(tag: str) -> str:
    prefix, local = tag.split(":")
    return "{" + {"w": _W, "r": _R}[prefix] + "}" + local


def _style_kind(name: str) -> tuple[BlockKind | None, int]:
    """What a paragraph style says the paragraph is (English and Danish Word style names)."""
    lower = name.strip().lower()
    if heading := re.fullmatch(r"(?:heading|overskrift)\s*(\d)", lower):
        return "heading", int(heading.group(1))
    if lower in {"title", "titel"}:
        return "heading", 1
    if re.fullmatch(r"(?:toc|indholdsfortegnelse)\s*\d*", lower):
        return "toc", 0
    if lower in {"footnote text", "fodnotetekst"}:
        return "footnote", 0
    if lower.startswith(("list bullet", "opstilling med punkttegn")):
        return "bullet", 0
    if lower.startswith(("list number", "opstilling med tal")):
        return "number", 0
    return None, 0


def _bool_attr(element: Any, tag: str) -> bool | None:
    """A run property like ``w:b``: present and not switched off."""
    if element is None:
        return None
    found = element.find(_q(tag))
    if found is None:
        return None
    return found.get(_q("w:val")) not in {"0", "false", "off"}


class _Reader:
    """Walks the document body in order and turns paragraphs and table rows into blocks."""

    def __init__(self, document: Any) -> None:
        self.document = document
        self.blocks: list[Block] = []
        self.count = 0
        self.number_run = 0
        self.footnotes = self._footnote_texts()
        self.numbering = self._numbering()
        self.styles, self.default_style = self._styles()
        self.style_lists: dict[str, tuple[str | None, str | None]] = {}

    def _styles(self) -> tuple[dict[str, tuple[str, bool, bool]], str]:
        """Paragraph styles by id: (name, bold, italic).  Read once: python-docx's own look-up
        walks every style for every paragraph, which made a 25-page agenda take seconds."""
        styles: dict[str, tuple[str, bool, bool]] = {}
        self.style_nodes: dict[str, Any] = {}
        default = ""
        for node in self.document.styles.element.iter(_q("w:style")):
            ident = node.get(_q("w:styleId")) or ""
            name = node.find(_q("w:name"))
            props = node.find(_q("w:rPr"))
            styles[ident] = (name.get(_q("w:val")) if name is not None else ident,
                             bool(_bool_attr(props, "w:b")), bool(_bool_attr(props, "w:i")))
            self.style_nodes[ident] = node
            if node.get(_q("w:type")) == "paragraph" and node.get(_q("w:default")) in {"1", "true"}:
                default = ident
        return styles, default

    def _style_id(self, paragraph: Any) -> str:
        ppr = paragraph._p.pPr
        found = ppr.find(_q("w:pStyle")) if ppr is not None else None
        return found.get(_q("w:val")) if found is not None else self.default_style

    def _style_of(self, paragraph: Any) -> tuple[str, bool, bool]:
        return self.styles.get(self._style_id(paragraph), ("", False, False))

    def _style_list(self, ident: str, depth: int = 0) -> tuple[str | None, str | None]:
        """(numId, ilvl) a paragraph style (or a style it is based on) numbers its paragraphs with."""
        if ident in self.style_lists:
            return self.style_lists[ident]
        node = self.style_nodes.get(ident)
        found: tuple[str | None, str | None] = (None, None)
        if node is not None and depth < 10:
            numpr = node.find(f"{_q('w:pPr')}/{_q('w:numPr')}")
            if numpr is not None:
                num, lvl = numpr.find(_q("w:numId")), numpr.find(_q("w:ilvl"))
                found = (num.get(_q("w:val")) if num is not None else None,
                         lvl.get(_q("w:val")) if lvl is not None else None)
            based = node.find(_q("w:basedOn"))
            if found[0] is None and based is not None:
                inherited = self._style_list(based.get(_q("w:val")) or "", depth + 1)
                found = (inherited[0], found[1] or inherited[1])
        self.style_lists[ident] = found
        return found

    def _list_of(self, paragraph: Any) -> tuple[str, int]:
        """(numId, ilvl) of a paragraph: its own numbering, else its style's; ("", 0) for none."""
        num, lvl = self._style_list(self._style_id(paragraph))
        ppr = paragraph._p.pPr
        numpr = ppr.find(_q("w:numPr")) if ppr is not None else None
        if numpr is not None:
            own_num, own_lvl = numpr.find(_q("w:numId")), numpr.find(_q("w:ilvl"))
            if own_num is not None:
                num = own_num.get(_q("w:val"))
            if own_lvl is not None:
                lvl = own_lvl.get(_q("w:val"))
        level = int(lvl) if lvl and lvl.isdigit() else 0
        return (num or ""), level

    def _footnote_texts(self) -> dict[str, str]:
        """Text of each real footnote, by id (separators, ids -1 and 0, are skipped)."""
        for part in self.document.part.package.parts:
            if str(part.partname).endswith("/footnotes.xml"):
                from lxml import etree

                root = etree.fromstring(part.blob)
                texts = {}
                for note in root.iter(_q("w:footnote")):
                    ident = note.get(_q("w:id"))
                    if ident in {"-1", "0"}:
                        continue
                    texts[ident] = tidy("".join(t.text or "" for t in note.iter(_q("w:t"))))
                return texts
        return {}

    def _numbering(self) -> Numbering:
        try:
            return Numbering(self.document.part.numbering_part.element)
        except (NotImplementedError, KeyError, AttributeError):
            return Numbering(None)

    def run(self) -> list[Block]:
        self._children(self.document.element.body)
        return self.blocks

    def _children(self, parent: Any, depth: int = 0) -> None:
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        for child in parent.iterchildren():
            if child.tag == _q("w:p"):
                self.paragraph(Paragraph(child, self.document._body))
            elif child.tag == _q("w:tbl"):
                self.table(Table(child, self.document._body))
            elif child.tag == _q("w:sdt") and depth < 5:   # a content control around paragraphs
                content = child.find(_q("w:sdtContent"))
                if content is not None:
                    self._children(content, depth + 1)

    def _runs(self, paragraph: Any, style_bold: bool, style_italic: bool
              ) -> tuple[str, list[str], list[str], bool, bool]:
        """Text, links, footnote labels and whether all visible text is bold / italic."""
        from docx.text.run import Run

        parts: list[str] = []
        links: list[str] = []
        notes: list[str] = []
        bold_all = italic_all = True
        seen_text = False
        for r in paragraph._p.iter(_q("w:r")):
            note = r.find(_q("w:footnoteReference"))
            if note is not None:
                notes.append(note.get(_q("w:id")))
                continue
            props = r.find(_q("w:rPr"))
            align = props.find(_q("w:vertAlign")) if props is not None else None
            text = Run(r, paragraph).text
            if align is not None and align.get(_q("w:val")) == "superscript" and text.strip().isdigit():
                notes.append(text.strip())
                continue
            parent = r.getparent()
            if parent is not None and parent.tag == _q("w:hyperlink"):
                rid = parent.get(_q("r:id"))
                if rid and rid in paragraph.part.rels:
                    target = paragraph.part.rels[rid].target_ref
                    if target and target not in links:
                        links.append(target)
            parts.append(text)
            if text.strip():
                seen_text = True
                bold = _bool_attr(props, "w:b")
                italic = _bool_attr(props, "w:i")
                if bold is None:
                    bold = style_bold
                if italic is None:
                    italic = style_italic
                bold_all = bold_all and bold
                italic_all = italic_all and italic
        return "".join(parts), links, notes, seen_text and bold_all, seen_text and italic_all

    def paragraph(self, paragraph: Any) -> None:
        self.count += 1
        style, style_bold, style_italic = self._style_of(paragraph)
        raw, links, notes, strong, emphasis = self._runs(paragraph, style_bold, style_italic)
        kind, level = _style_kind(style)
        ppr = paragraph._p.pPr
        if kind is None and ppr is not None:
            outline = ppr.find(_q("w:outlineLvl"))
            value = outline.get(_q("w:val"), "9") if outline is not None else "9"
            if value.isdigit() and int(value) < 9:
                kind, level = "heading", int(value) + 1
        label, fmt = "", ""
        if kind not in {"toc", "footnote"}:
            num_id, ilvl = self._list_of(paragraph)
            label, fmt = self.numbering.next_label(num_id, ilvl)
            if fmt and kind in {None, "bullet", "number"}:
                kind = "bullet" if fmt == "bullet" else "number"
        text = tidy(raw)
        if kind == "toc":
            entry = toc_entry(raw)
            if entry is not None:
                self._add(Block("toc", entry[1], self.count, label=entry[0], page=entry[2]))
            elif text:
                self._add(Block("para", text, self.count))
            return
        if kind == "footnote":
            labelled = re.fullmatch(r"(\d{1,3})\s+(.+)", text, re.DOTALL)
            label, body = (labelled.group(1), labelled.group(2)) if labelled else ("", text)
            if body:
                self._add(Block("footnote", body, self.count, label=label, links=links))
            return
        if not text:
            return
        if kind == "heading" and label and fmt not in {"bullet", "none"} \
                and not re.match(r"\d+(?:\.\d+)*\.?\s", text):
            text = f"{label} {text}"   # the number Word prints in front of a numbered heading
        block = Block(kind or "para", text, self.count, level=level, strong=strong, emphasis=emphasis,
                      links=links, notes=notes)
        if kind == "number":
            self.number_run += 1
            block.label = label.strip("().") if label and fmt else str(self.number_run)
        if kind in {"bullet", "number"} and fmt:
            block.level = self._list_of(paragraph)[1]   # 0 for a list's own items, 1.. for sub-points
        self._add(block)
        for ident in notes:
            if ident in self.footnotes:
                self._add(Block("footnote", self.footnotes[ident], self.count, label=ident,
                                links=re.findall(r"https?://\S+", self.footnotes[ident])))

    def _add(self, block: Block) -> None:
        if block.kind != "number":
            self.number_run = 0
        self.blocks.append(block)

    def table(self, table: Any) -> None:
        for row in table.rows:
            self.count += 1
            cells: list[str] = []
            seen: set[int] = set()
            for cell in row.cells:
                if id(cell._tc) in seen:
                    continue
                seen.add(id(cell._tc))
                cells.append(tidy(" ".join(p.text for p in cell.paragraphs)))
            if any(cells):
                self._add(Block("row", " | ".join(c for c in cells if c), self.count, cells=cells))


def read_docx(path: Path) -> Document:
    """Read a .docx into blocks; a file Word could not have written raises :class:`AgendaError`."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
        blocks = _Reader(document).run()
        margins = _page_headers(document)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, AttributeError) as exc:
        raise AgendaError(f"not a readable Word document (.docx): {type(exc).__name__}") from None
    except Exception as exc:  # lxml raises its own syntax errors for corrupt XML parts
        if type(exc).__module__.startswith("lxml"):
            raise AgendaError("not a readable Word document (.docx): damaged XML inside") from None
        raise
    return Document(blocks, "paragraph", margins)


def _page_headers(document: Any) -> list[str]:
    """The text of the page headers (first page and default), once each, in order."""
    texts: list[str] = []
    for section in document.sections:
        for header in (section.first_page_header, section.header):
            if header.is_linked_to_previous and section is not document.sections[0]:
                continue
            for paragraph in header.paragraphs:
                text = tidy(paragraph.text)
                if text and text not in texts:
                    texts.append(text)
    return texts
