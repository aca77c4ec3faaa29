"""Small, valid PDF files written from a few lines of text: the demo's signed declarations and
the tests' uploads. No PDF library is needed for one page of Helvetica."""


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing ``lines`` (Latin-1 text), with a correct cross-reference table."""
    stream = ["BT", "/F1 11 Tf", "14 TL", "56 780 Td"]
    for line in lines:
        stream.append(f"({_escape(line)}) Tj T*")
    stream.append("ET")
    content = "\n".join(stream).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def declaration_pdf(*, end_user: str, country: str, signatory: str, position: str, signed_on):
    """A signed end-user declaration as the demo files it."""
    return minimal_pdf(
        [
            "END-USER DECLARATION (DECA-2021-12)",
            "",
            f"End user: {end_user}, {country}",
            "We undertake to use the product only against terrorism and serious crime",
            "(offences punishable by six years' imprisonment or more), and acknowledge",
            "that a breach may lead the State of Israel to take appropriate steps.",
            "",
            f"Signed: {signatory}, {position}, on {signed_on:%d %B %Y}",
        ]
    )
