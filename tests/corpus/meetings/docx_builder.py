"""A small builder for Word files laid out the way Word, LibreOffice and pandoc lay them out.

The corpus's Word documents are built with python-docx, then their XML is shaped like each
producer's: real heading styles (with Word's English internal names, Danish names, or
LibreOffice's), multilevel list numbering kept in ``numbering.xml`` and linked to the heading
styles (so the numbers are *not* in the text), list numbering on paragraphs, table-of-contents
fields, bold paragraphs used as headings, tables, and runs split the way editors split them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal, get_args

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
        if flavour not in get_args(Flavour):
            raise ValueError(f"unknown flavour {flavour!r}; one of {', '.join(get_args(Flavour))}")
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

    def _abstract(self, levels: list[tuple[str, str] | tuple[str, str, str]]) -> int:
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

    def define_list(self, name: str, levels: list[tuple[str, str] | tuple[str, str, str]]) -> None:
        """A list definition that later ``numbered`` paragraphs refer to by ``name``.

        Per level (numFmt, lvlText[, pStyle]), as ``numbering.xml`` has them.
        """
        if name in self._lists:
            raise ValueError(f"a list named {name!r} is already defined")
        self._lists[name] = self._abstract(levels)

    def restart_list(self, name: str) -> None:
        """Word's "restart numbering": the list's next items belong to a new instance that starts at 1."""
        abstract = self.numbering.xpath(f'w:num[@w:numId="{self._list(name)}"]/w:abstractNumId/@w:val')[0]
        new = self._next_num
        self._next_num += 1
        num = _el("w:num", **{"w:numId": str(new)})
        num.append(_el("w:abstractNumId", **{"w:val": abstract}))
        override = _el("w:lvlOverride", **{"w:ilvl": "0"})
        override.append(_el("w:startOverride", **{"w:val": "1"}))
        num.append(override)
        self.numbering.append(num)
        self._lists[name] = new

    def _list(self, name: str) -> int:
        if name not in self._lists:
            raise LookupError(f"no list named {name!r} is defined (define_list comes first)")
        return self._lists[name]

    def number_headings(self, formats: Sequence[str] = ("%1.", "%1.%2.")) -> None:
        """Word's multilevel heading numbering: the heading styles carry the list (not the text)."""
        levels = [("decimal", text, f"Heading{i + 1}") for i, text in enumerate(formats)]
        num_id = self._abstract(levels)  # type: ignore[arg-type]
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

    def append_run(self, text: str) -> None:
        """One more run, without run properties, in the last paragraph: a word an editor split in two."""
        self.doc.paragraphs[-1].add_run(text)

    def heading(self, level: int, text: str, marks: str = "") -> object:
        """A paragraph in the heading style of ``level``, found by its id whatever its display name."""
        paragraph = self.doc.add_paragraph(style=self.doc.styles.get_by_id(f"Heading{level}",
                                                                           WD_STYLE_TYPE.PARAGRAPH))
        self._runs(paragraph, [(text, marks)])
        return paragraph

    def numbered(self, name: str, text: str, ilvl: int = 0, style: str | None = None,
                 parts: list[tuple[str, str]] | None = None) -> object:
        """A paragraph numbered directly (``w:numPr`` in it), as LibreOffice and pandoc write lists."""
        num_id = self._list(name)
        paragraph = self.para(text, style=style, parts=parts)
        numpr = paragraph._p.get_or_add_pPr().get_or_add_numPr()  # type: ignore[attr-defined]
        numpr.get_or_add_ilvl().val = ilvl
        numpr.get_or_add_numId().val = num_id
        return paragraph

    def styled_list(self, style: str, text: str) -> object:
        """A list item by Word's list style (List Bullet / List Number): the style carries the numbering.

        ``style`` is Word's English name: the style is found by its id, which stays English in the
        flavours that show Danish or LibreOffice names.
        """
        return self.doc.add_paragraph(text, style=self.doc.styles.get_by_id(style.replace(" ", ""),
                                                                            WD_STYLE_TYPE.PARAGRAPH))

    def toc(self, entries: list[tuple[int, str, str, int]], content_control: bool = False) -> None:
        """A table of contents as Word's TOC field leaves it: one "toc n" paragraph per entry.

        With ``content_control`` the paragraphs stand inside a ``w:sdt``, as Word wraps the TOC it inserts.
        """
        paragraphs = []
        for i, (level, number, title, page) in enumerate(entries):
            paragraph = self.doc.add_paragraph(style=self.doc.styles.get_by_id(f"TOC{level}",
                                                                               WD_STYLE_TYPE.PARAGRAPH))
            paragraphs.append(paragraph._p)
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
        if content_control:
            self._content_control(paragraphs)

    def _content_control(self, paragraphs: list[object]) -> None:
        """Moves the paragraphs into a content control standing where the first of them stood."""
        sdt = self.doc.element.makeelement(qn("w:sdt"), {})
        content = self.doc.element.makeelement(qn("w:sdtContent"), {})
        sdt.append(content)
        paragraphs[0].addprevious(sdt)  # type: ignore[attr-defined]
        for paragraph in paragraphs:
            content.append(paragraph)

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

    def page_header(self, text: str) -> None:
        """The text of the first section's page header (where some agendas keep the meeting date)."""
        self.doc.sections[0].header.paragraphs[0].text = text

    def save(self, path: Path) -> None:
        self.doc.save(str(path))
