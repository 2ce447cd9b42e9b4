"""A small builder for Word files laid out the way Word, LibreOffice and pandoc lay them out.

The corpus's Word documents are built with python-docx, then their XML is shaped like each
producer's: real heading styles (with Word's English internal names, Danish names, or
LibreOffice's), multilevel list numbering kept in ``numbering.xml`` and linked to the heading
styles (so the numbers are *not* in the text), list numbering on paragraphs, table-of-contents
fields, bold paragraphs used as headings, tables, and runs split the way editors split them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

Flavour = Literal["word", "word-da", "libreoffice", "pandoc"]

#: Danish display names some tools write instead of Word's internal English ones.
DANISH = {"Heading 1": "Overskrift 1", "Heading 2": "Overskrift 2", "Heading 3": "Overskrift 3",
          "Heading 4": "Overskrift 4", "List Bullet": "Opstilling med punkttegn",
          "List Number": "Opstilling med tal", "Title": "Titel"}


def _el(tag: str, **attrs: str) -> OxmlElement:
    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(key), value)
    return element


class Builder:
    """One document under construction."""

    def __init__(self, flavour: Flavour = "word", title: str = "") -> None:
        self.flavour = flavour
        self.doc = docx.Document()
        self.doc.core_properties.title = title
        self.doc.core_properties.comments = ("Konstrueret testdokument til kg's tests; "
                                             "ikke et rigtigt mødedokument.")
        self.doc.core_properties.author = "kg test corpus"
        self.numbering = self.doc.part.numbering_part.element
        self._next_abstract = 20
        self._next_num = 20
        self._lists: dict[str, int] = {}
        if flavour == "word-da":
            for english, danish in DANISH.items():
                self.doc.styles[english].element.find(qn("w:name")).set(qn("w:val"), danish)
        if flavour == "libreoffice":
            for level in range(1, 5):
                style = self.doc.styles[f"Heading {level}"]
                style.element.find(qn("w:name")).set(qn("w:val"), f"heading {level}")
            self._style("Text Body", "TextBody")
        if flavour == "pandoc":
            self._style("First Paragraph", "FirstParagraph")
            self._style("Body Text", "BodyText")
            self._style("Compact", "Compact")
        for level in (1, 2):
            self._style(f"toc {level}", f"TOC{level}")

    # -- styles and numbering ---------------------------------------------------------------
    def _style(self, name: str, ident: str) -> None:
        if any(s.style_id == ident for s in self.doc.styles):
            return
        style = self.doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.element.set(qn("w:styleId"), ident)

    def abstract(self, levels: list[tuple[str, str] | tuple[str, str, str]]) -> int:
        """A multilevel list definition: per level (numFmt, lvlText[, pStyle]); returns its numId."""
        abstract_id, num_id = self._next_abstract, self._next_num
        self._next_abstract += 1
        self._next_num += 1
        node = _el("w:abstractNum", **{"w:abstractNumId": str(abstract_id)})
        kind = "hybridMultilevel" if len(levels) == 1 else "multilevel"
        node.append(_el("w:multiLevelType", **{"w:val": kind}))
        for ilvl, level in enumerate(levels):
            fmt, text = level[0], level[1]
            lvl = _el("w:lvl", **{"w:ilvl": str(ilvl)})
            lvl.append(_el("w:start", **{"w:val": "1"}))
            lvl.append(_el("w:numFmt", **{"w:val": fmt}))
            if len(level) > 2:
                lvl.append(_el("w:pStyle", **{"w:val": level[2]}))  # type: ignore[misc]
            lvl.append(_el("w:lvlText", **{"w:val": text}))
            lvl.append(_el("w:lvlJc", **{"w:val": "left"}))
            ppr = _el("w:pPr")
            ppr.append(_el("w:ind", **{"w:left": str(432 * (ilvl + 1)), "w:hanging": "432"}))
            lvl.append(ppr)
            node.append(lvl)
        first_num = self.numbering.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(node)
        else:
            self.numbering.append(node)
        num = _el("w:num", **{"w:numId": str(num_id)})
        num.append(_el("w:abstractNumId", **{"w:val": str(abstract_id)}))
        self.numbering.append(num)
        return num_id

    def restart(self, num_id: int) -> int:
        """A new list instance of the same definition that starts again at 1 (Word's "restart")."""
        abstract = self.numbering.xpath(f'w:num[@w:numId="{num_id}"]/w:abstractNumId/@w:val')[0]
        new = self._next_num
        self._next_num += 1
        num = _el("w:num", **{"w:numId": str(new)})
        num.append(_el("w:abstractNumId", **{"w:val": abstract}))
        override = _el("w:lvlOverride", **{"w:ilvl": "0"})
        override.append(_el("w:startOverride", **{"w:val": "1"}))
        num.append(override)
        self.numbering.append(num)
        return new

    def number_headings(self, formats: tuple[str, ...] = ("%1.", "%1.%2.")) -> None:
        """Word's multilevel heading numbering: the heading styles carry the list (not the text)."""
        levels = [("decimal", text, f"Heading{i + 1}") for i, text in enumerate(formats)]
        num_id = self.abstract(levels)  # type: ignore[arg-type]
        for i in range(len(formats)):
            style = self.doc.styles.get_by_id(f"Heading{i + 1}", WD_STYLE_TYPE.PARAGRAPH)
            numpr = style.element.get_or_add_pPr().get_or_add_numPr()
            numpr.get_or_add_ilvl().val = i
            numpr.get_or_add_numId().val = num_id

    # -- paragraphs -----------------------------------------------------------------------------
    def _runs(self, paragraph: object, parts: list[tuple[str, str]]) -> None:
        for text, marks in parts:
            run = paragraph.add_run(text)  # type: ignore[attr-defined]
            run.bold = True if "b" in marks else None
            run.italic = True if "i" in marks else None

    def para(self, text: str = "", style: str | None = None, marks: str = "",
             parts: list[tuple[str, str]] | None = None) -> object:
        if style is None and self.flavour == "libreoffice":
            style = "Text Body"
        if style is None and self.flavour == "pandoc":
            style = "Body Text"
        paragraph = self.doc.add_paragraph(style=style)
        self._runs(paragraph, parts if parts is not None else [(text, marks)])
        return paragraph

    def split_para(self, *pieces: str, marks: str = "") -> object:
        """A paragraph whose text is split into several runs, as editors leave it after edits."""
        return self.para(parts=[(p, marks) for p in pieces])

    def heading(self, level: int, text: str, marks: str = "") -> object:
        name = f"Heading {level}"
        if self.flavour == "word-da":
            name = DANISH.get(name, name)
        paragraph = self.doc.add_paragraph(style=self.doc.styles.get_by_id(f"Heading{level}",
                                                                           WD_STYLE_TYPE.PARAGRAPH))
        del name
        self._runs(paragraph, [(text, marks)])
        return paragraph

    def numbered(self, num_id: int, text: str, ilvl: int = 0, style: str | None = None,
                 parts: list[tuple[str, str]] | None = None) -> object:
        """A paragraph numbered directly (``w:numPr`` in it), as LibreOffice and pandoc write lists."""
        paragraph = self.para(text, style=style, parts=parts)
        numpr = paragraph._p.get_or_add_pPr().get_or_add_numPr()  # type: ignore[attr-defined]
        numpr.get_or_add_ilvl().val = ilvl
        numpr.get_or_add_numId().val = num_id
        return paragraph

    def styled_list(self, style: str, text: str) -> object:
        """A list item by Word's list style (List Bullet / List Number): the style carries the numbering."""
        if self.flavour == "word-da":
            style = DANISH.get(style, style)
        return self.doc.add_paragraph(text, style=self.doc.styles.get_by_id(style.replace(" ", "")
                                                                            if self.flavour != "word-da"
                                                                            else _ident(style),
                                                                            WD_STYLE_TYPE.PARAGRAPH))

    def toc(self, entries: list[tuple[int, str, str, int]]) -> None:
        """A table of contents as Word's TOC field leaves it: one "toc n" paragraph per entry."""
        for i, (level, number, title, page) in enumerate(entries):
            paragraph = self.doc.add_paragraph(style=self.doc.styles.get_by_id(f"TOC{level}",
                                                                               WD_STYLE_TYPE.PARAGRAPH))
            if i == 0:
                self._field(paragraph, "begin", ' TOC \\o "1-2" \\h \\z \\u ')
            link = _el("w:hyperlink", **{"w:anchor": f"_Toc{1000 + i}", "w:history": "1"})
            for text in (number, "\t", title, "\t", str(page)):
                run = _el("w:r")
                if text == "\t":
                    run.append(_el("w:tab"))
                else:
                    t = _el("w:t")
                    t.text = text
                    t.set(qn("xml:space"), "preserve")
                    run.append(t)
                link.append(run)
            paragraph._p.append(link)
            if i == len(entries) - 1:
                self._field(paragraph, "end")

    @staticmethod
    def _field(paragraph: object, kind: str, instruction: str = "") -> None:
        run = _el("w:r")
        run.append(_el("w:fldChar", **{"w:fldCharType": kind}))
        paragraph._p.append(run)  # type: ignore[attr-defined]
        if instruction:
            instr = _el("w:r")
            text = _el("w:instrText")
            text.text = instruction
            text.set(qn("xml:space"), "preserve")
            instr.append(text)
            paragraph._p.append(instr)  # type: ignore[attr-defined]
            sep = _el("w:r")
            sep.append(_el("w:fldChar", **{"w:fldCharType": "separate"}))
            paragraph._p.append(sep)  # type: ignore[attr-defined]

    def table(self, rows: list[list[str]], bold_first: bool = False, header: bool = False) -> None:
        table = self.doc.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        table.style = self.doc.styles["Table Grid"]
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                cell = table.cell(r, c)
                cell.text = ""
                run = cell.paragraphs[0].add_run(text)
                if (bold_first and c == 0) or (header and r == 0):
                    run.bold = True

    def page_break(self) -> None:
        self.doc.add_page_break()

    def save(self, path: Path) -> None:
        self.doc.save(str(path))


def _ident(danish: str) -> str:
    english = {v: k for k, v in DANISH.items()}[danish]
    return english.replace(" ", "")
