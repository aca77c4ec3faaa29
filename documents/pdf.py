"""The licence certificate and the refusal letter as PDF, drawn with fpdf2 (pure Python).

The functions here take plain data (built by ``licenses.issuing``) and return unsigned PDF bytes;
``documents.signing`` signs them. The core PDF fonts hold Latin-1 only: any other character is
transliterated (``anyascii``), so a name in another script prints readably instead of failing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from anyascii import anyascii
from fpdf import FPDF

AGENCY = "Defence Export Control Agency"
REGISTRY = "Export-licence registry"


def latin(text: str) -> str:
    """``text`` with every character outside Latin-1 transliterated."""
    out = []
    for char in str(text):
        try:
            char.encode("latin-1")
        except UnicodeEncodeError:
            out.append(anyascii(char) or "?")
        else:
            out.append(char)
    return "".join(out)


@dataclass(frozen=True)
class CertificateData:
    number: str
    licence_type: str
    vendor: str
    vendor_registration: str
    product: str
    control_entry: str
    destination: str
    parties: list[tuple[str, str]]  # (role, name and country)
    conditions: list[str]
    valid_from: datetime.date
    valid_until: datetime.date
    check_code: str
    application: str
    whitelist_revision: str
    declaration: str
    issued_on: datetime.date
    issued_on_appeal: bool = False


@dataclass(frozen=True)
class LetterData:
    application: str
    vendor: str
    vendor_registration: str
    product: str
    destination: str
    criteria: list[tuple[str, str]]  # (code, text)
    reasons: str
    dated: datetime.date
    appeal_closes_on: datetime.date | None
    refused_at_intake: bool = False
    title: str = "Refusal of a licence application"
    paragraphs: list[str] = field(default_factory=list)


class _Page(FPDF):
    def __init__(self, title: str):
        super().__init__(format="A4")
        self.set_title(latin(title))
        self.set_author(AGENCY)
        self.set_creator(REGISTRY)
        self.set_auto_page_break(auto=True, margin=20)
        self.set_margins(20, 20, 20)
        self.add_page()
        self.set_font("Helvetica", "B", 10)
        self.cell(0, 6, AGENCY.upper(), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "B", 18)
        self.multi_cell(0, 9, latin(title), new_x="LMARGIN", new_y="NEXT")
        self.ln(3)

    def footer(self):
        self.set_y(-15)
        self.set_font("Helvetica", "", 8)
        self.cell(
            0,
            6,
            f"Signed electronically by the agency (PAdES). Page {self.page_no()} of {{nb}}.",
            align="C",
        )

    def heading(self, text: str):
        self.ln(2)
        self.set_font("Helvetica", "B", 12)
        self.multi_cell(0, 7, latin(text), new_x="LMARGIN", new_y="NEXT")

    def text(self, value: str, *, size: int = 10, bold: bool = False):
        self.set_font("Helvetica", "B" if bold else "", size)
        self.multi_cell(0, 5.5, latin(value), new_x="LMARGIN", new_y="NEXT")

    def row(self, label: str, value: str):
        self.set_font("Helvetica", "B", 10)
        self.cell(55, 6, latin(label))
        self.set_font("Helvetica", "", 10)
        self.multi_cell(0, 6, latin(value), new_x="LMARGIN", new_y="NEXT")

    def bytes(self) -> bytes:
        return bytes(self.output())


def _date(day: datetime.date) -> str:
    return f"{day:%d %B %Y}".lstrip("0")


def certificate(data: CertificateData) -> bytes:
    """The licence certificate: what is licensed, to whom, where, on what conditions, until
    when, and the check code for the public check."""
    pdf = _Page(f"{data.licence_type} {data.number}")
    if data.issued_on_appeal:
        pdf.text("Issued on appeal.", bold=True)
    pdf.row("Licence number", data.number)
    pdf.row("Holder", f"{data.vendor} (registration {data.vendor_registration})")
    pdf.row("Product", data.product)
    pdf.row("Control entry", data.control_entry)
    pdf.row("Destination", data.destination)
    pdf.row("Valid from", _date(data.valid_from))
    pdf.row("Valid until", _date(data.valid_until))
    pdf.row("Application", data.application)
    pdf.row("Whitelist revision", data.whitelist_revision or "-")
    pdf.row("End-user declaration", data.declaration or "Not required")
    pdf.row("Issued on", _date(data.issued_on))
    pdf.heading("Parties")
    for role, name in data.parties or [("-", "None named")]:
        pdf.row(role, name)
    pdf.heading("Conditions")
    if data.conditions:
        for number, condition in enumerate(data.conditions, start=1):
            pdf.text(f"{number}. {condition}")
    else:
        pdf.text("No conditions beyond the law and the licence's terms.")
    pdf.heading("Check this licence")
    pdf.text(
        "Anyone may check this licence's current status at the registry's /verify/ page with "
        "its number and this check code. The status shown there prevails over this document: "
        "a licence may have been suspended, revoked or surrendered since it was issued."
    )
    pdf.ln(2)
    pdf.text(f"Check code: {data.check_code}", size=14, bold=True)
    return pdf.bytes()


def letter(data: LetterData) -> bytes:
    """The refusal letter: the criteria and reasons, and how to appeal, by when."""
    pdf = _Page(data.title)
    pdf.row("Application", data.application)
    pdf.row("Applicant", f"{data.vendor} (registration {data.vendor_registration})")
    pdf.row("Product", data.product)
    pdf.row("Destination", data.destination)
    pdf.row("Date of this letter", _date(data.dated))
    for paragraph in data.paragraphs:
        pdf.ln(1)
        pdf.text(paragraph)
    pdf.heading("Criteria")
    for code, text in data.criteria:
        pdf.text(f"{code}: {text}")
    pdf.heading("Reasons")
    if data.refused_at_intake:
        pdf.text("The application was refused by screening when it was submitted.")
    pdf.text(data.reasons)
    pdf.heading("Appeal")
    if data.appeal_closes_on:
        pdf.text(
            "You may appeal against this refusal through the registry's API "
            f"(POST /api/v1/applications/{data.application}/appeal/) with your grounds and any "
            f"documents, until {_date(data.appeal_closes_on)} inclusive. A senior official who "
            "did not take this decision will decide the appeal."
        )
    else:
        pdf.text("This decision is final: no further appeal lies through the registry.")
    return pdf.bytes()
