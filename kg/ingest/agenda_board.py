"""Board reports (item 2.9 style): the board's meetings, the products put up and the outcomes.

An item reports on another body's meetings when its case description has
headings like "Arkitekturboards møde 29. august 2023".  Under each such heading
the numbered (or bulleted) list after "Følgende arkitekturprodukter var indstillet til
godkendelse …" gives the proposals, in order (their position is the number in
the list).  Under "Arkitekturboards udtalelse fra mødet 31. oktober 2023" the
statement follows, product by product: a sub-heading names the product, its
paragraphs are the statement, a sentence "… blev godkendt …" (or any other phrasing
:mod:`agenda_outcomes` knows) gives the outcome, and the paragraphs after the outcome
are the remarks ("… godkendt med følgende bemærkninger:", but also the reasons
given after "… blev ikke godkendt.").  A paragraph that reports a decision in
words no outcome fits gives the outcome "other", with its words kept.

The statement's sub-headings do not always repeat the list titles exactly
("… for digitale overblik …" against "… for tværgående digitalt overblik …"),
so a sub-heading is matched to the list entry whose words it shares most
(words compared by their first five letters, which absorbs Danish endings
such as -e/-t/-er), and only when that entry is a clear best: Jaccard
similarity at least 0.5 and 0.2 ahead of the runner-up.  A sub-heading that
matches no entry, or two equally, is a warning, and its paragraphs stay
unplaced rather than being given to a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from kg.ingest.agenda_blocks import Block
from kg.ingest.agenda_dates import day_months, full_dates
from kg.ingest.agenda_outcomes import OTHER, outcome_of, reports_a_decision
from kg.ingest.agenda_parse import Item

_MEETING = re.compile(r"^(?:(?P<body>[\wÆØÅæøå-]+?)\s+møde|møde\s+i\s+(?P<body2>[\wÆØÅæøå-]+))\s+"
                      r"(?:den\s+)?(?P<rest>.*\d.*)$", re.IGNORECASE)
#: A list entry that states its own outcome: "Kernemodel for X (godkendt)", "Kernemodel for X – udsat".
_ENTRY_OUTCOME = re.compile(r"^(?P<title>.+?)\s*(?:\((?P<paren>[^()]+)\)|\s[–-]\s+(?P<dash>[^–-]+))\s*\.?$")
_STATEMENT = re.compile(r"^(?P<body>[\wÆØÅæøå-]+?)\s+udtalelse\s+fra\s+mødet\s+(?:den\s+)?(?P<rest>.*\d.*)$",
                        re.IGNORECASE)
_ORDINALS = re.compile(r"((?:\d{1,3}\.\s*(?:,\s*|\s+og\s+))*\d{1,3}\.)\s+møde\b", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ])")


@dataclass
class Proposal:
    """One product put up for approval, and what the board decided on it."""

    position: int
    title: str
    line: int
    outcome: str | None = None
    #: The paragraph that states the outcome, as written.
    outcome_text: str = ""
    statements: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)


@dataclass
class BoardMeeting:
    """A meeting of the reporting body, as the report describes it."""

    body: str
    day: date
    line: int
    ordinal: int | None = None
    proposals: list[Proposal] = field(default_factory=list)


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"\w+", text.casefold())}


def match_title(heading: str, proposals: list[Proposal]) -> Proposal | None:
    """The proposal a statement sub-heading is about, when one is a clear best match (see module doc)."""
    heading = re.sub(r"^\d{1,2}[.)]?\s+", "", heading.strip())
    plain = " ".join(heading.casefold().split())
    exact = [p for p in proposals if " ".join(p.title.casefold().split()) == plain]
    if len(exact) == 1:
        return exact[0]
    words = _stems(heading)
    scored = sorted(((len(words & _stems(p.title)) / len(words | _stems(p.title) or {""}), p)
                     for p in proposals), key=lambda pair: -pair[0])
    if not scored or scored[0][0] < 0.5:
        return None
    if len(scored) > 1 and scored[0][0] - scored[1][0] < 0.2:
        return None
    return scored[0][1]


class _BoardReader:
    """Walks an item's case description, keeping which meeting and proposal the text is under."""

    def __init__(self, item: Item, warn: Callable[[int, str], None]) -> None:
        self.item, self.warn = item, warn
        self.meetings: list[BoardMeeting] = []
        self.meeting: BoardMeeting | None = None
        self.mode = "list"        # "list": under a meeting heading; "statement": under an udtalelse heading
        self.list_state = "before"  # before / in / after the proposals' numbered list
        self.proposal: Proposal | None = None
        self.unplaced = False     # under a sub-heading that matched no proposal
        self.after_outcome = "statement"
        self.lead_outcome: tuple[str, str] | None = None   # "Følgende produkter blev godkendt:"

    def run(self, blocks: list[Block]) -> list[BoardMeeting]:
        for block in blocks:
            headingish = block.kind == "heading" or (
                block.kind == "para" and (block.strong or block.emphasis))
            if headingish and (found := _heading_meeting(block, _STATEMENT)) is not None:
                self._statement_heading(block, *found)
            elif headingish and (found := _heading_meeting(block, _MEETING)) is not None:
                self.meeting = BoardMeeting(found[0], found[1], block.line)
                self.meetings.append(self.meeting)
                self.mode, self.list_state, self.proposal, self.lead_outcome = "list", "before", None, None
            elif self.meeting is not None and self.mode == "list":
                self._listed(self.meeting, block)
            elif self.meeting is not None:
                self._statement(self.meeting, block, headingish)
        return self.meetings

    def _statement_heading(self, block: Block, body: str, day: date) -> None:
        self.meeting = next((m for m in self.meetings if m.day == day), None)
        if self.meeting is None:
            self.meeting = BoardMeeting(body, day, block.line)
            self.meetings.append(self.meeting)
            self.warn(block.line, f"item {self.item.number}: a statement from the meeting of "
                                  f"{day.isoformat()} without a heading for that meeting")
        self.mode, self.proposal, self.unplaced, self.after_outcome = "statement", None, False, "statement"

    def _listed(self, meeting: BoardMeeting, block: Block) -> None:
        if block.kind not in {"number", "bullet"}:
            if self.list_state == "in":
                self.list_state = "after"
            elif self.list_state == "before":
                self.lead_outcome = outcome_of(block.text)   # the sentence that introduces the list
            return
        if self.list_state == "after":
            self.warn(block.line, f"item {self.item.number}: a second numbered list under the meeting of "
                                  f"{meeting.day.isoformat()}; only the first is read as the proposals")
            return
        if block.level > 0 and meeting.proposals:
            return   # a sub-point of the entry above, not a proposal of its own
        position = int(block.label) if block.label.isdigit() else len(meeting.proposals) + 1
        if any(p.position == position for p in meeting.proposals):
            position = max(p.position for p in meeting.proposals) + 1
        proposal = Proposal(position, block.text, block.line)
        entry = _ENTRY_OUTCOME.match(block.text)
        stated = outcome_of(entry.group("paren") or entry.group("dash")) if entry else None
        if entry and stated:
            proposal.title = entry.group("title").strip()
            proposal.outcome, proposal.outcome_text = stated[0], block.text
        elif self.lead_outcome is not None:
            proposal.outcome, proposal.outcome_text = self.lead_outcome
        meeting.proposals.append(proposal)
        self.list_state = "in"

    def _statement(self, meeting: BoardMeeting, block: Block, headingish: bool) -> None:
        """A product sub-heading, a statement paragraph, an outcome sentence or a remark."""
        if headingish:
            self.proposal = match_title(block.text, meeting.proposals)
            self.unplaced, self.after_outcome = self.proposal is None, "statement"
            if self.proposal is None:
                self.warn(block.line, f"item {self.item.number}: the sub-heading '{block.text}' matches "
                                      f"none of the proposals of {meeting.day.isoformat()} clearly; "
                                      "its paragraphs are not placed")
            return
        if self.unplaced:
            return
        if self.proposal is None and len(meeting.proposals) == 1:
            self.proposal = meeting.proposals[0]
        if self.proposal is None:
            self.warn(block.line, f"item {self.item.number}: a statement paragraph under the meeting of "
                                  f"{meeting.day.isoformat()} names no proposal; not placed")
            return
        found = outcome_of(block.text)
        if found is None and self.proposal.outcome is None and reports_a_decision(block.text):
            found = (OTHER, block.text)
            self.warn(block.line, f"item {self.item.number}: '{_short(block.text)}' reports a decision on "
                                  f"'{self.proposal.title}' in words no outcome fits; kept as 'andet'")
        if found is not None and (self.proposal.outcome is None or self.proposal.outcome_text
                                  in {self.lead_outcome[1] if self.lead_outcome else ""}):
            self.proposal.outcome, self.proposal.outcome_text = found[0], block.text
            self.after_outcome = "remark"
            return
        if found is not None:
            self.warn(block.line, f"item {self.item.number}: a second outcome for '{self.proposal.title}'; "
                                  "the first is kept")
        target = self.proposal.remarks if self.after_outcome == "remark" else self.proposal.statements
        target.append(block.text)


def read_board_report(item: Item, warn: Callable[[int, str], None]) -> list[BoardMeeting]:
    """The board meetings an item reports on, with their proposals and outcomes; [] for other items."""
    part = item.parts.get("sagsfremstilling")
    if part is None:
        return []
    meetings = _BoardReader(item, warn).run(part.content())
    for board in meetings:
        if not board.proposals:
            warn(board.line, f"item {item.number}: no numbered list of proposals under the meeting of "
                             f"{board.day.isoformat()}")
        for p in board.proposals:
            if p.outcome is None:
                warn(p.line, f"item {item.number}: no outcome ('… blev godkendt …') found for "
                             f"'{p.title}' ({board.day.isoformat()})")
    _ordinals(item, meetings, warn)
    return meetings


def _short(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _heading_meeting(block: Block, pattern: re.Pattern[str]) -> tuple[str, date] | None:
    match = pattern.match(block.text)
    if match is None:
        return None
    dates = full_dates(match.group("rest"))
    body = match.group("body") or (match.groupdict().get("body2") or "")
    return (body, dates[0][0]) if len(dates) == 1 and body else None


def _ordinals(item: Item, meetings: list[BoardMeeting], warn: Callable[[int, str], None]) -> None:
    """"… den 29. august og 31. oktober var boardets 17. og 18. møde": ordinals paired with the dates."""
    for block in item.blocks():
        for sentence in _SENTENCE.split(block.text):
            for match in _ORDINALS.finditer(sentence):
                ordinals = [int(n) for n in re.findall(r"\d{1,3}", match.group(1))]
                days = day_months(sentence[: match.start()])
                if len(days) != len(ordinals):
                    warn(block.line, f"item {item.number}: {len(ordinals)} meeting number(s) but "
                                     f"{len(days)} date(s) in '{sentence.strip()}'; not paired")
                    continue
                for (day, month), ordinal in zip(days, ordinals, strict=True):
                    for board in meetings:
                        if (board.day.day, board.day.month) == (day, month):
                            board.ordinal = ordinal
