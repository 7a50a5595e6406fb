#!/usr/bin/env python3
"""Writes the sample workspace's employee handbook as a small multi-page PDF (Helvetica text),
so the demo has a PDF whose pages search and the agent can cite. Needs only Python 3."""
import os
import sys

PAGES = [
    ["Acme employee handbook", "", "Page 1 - Welcome",
     "This handbook explains how we work: leave, expenses, equipment and conduct.",
     "Questions go to people ops. New employees read it during onboarding."],
    ["Page 2 - Leave policy",
     "Everyone gets 25 days of paid annual leave plus public holidays.",
     "Request leave in the HR tool at least two weeks ahead for absences over three days.",
     "Sick leave needs no approval; tell your manager the same morning.",
     "Parental leave: 20 weeks fully paid for every parent."],
    ["Page 3 - Expense policy",
     "Keep receipts for every expense and submit them within 30 days.",
     "Travel is booked through the travel desk; economy class for flights under six hours.",
     "Meals while travelling are reimbursed up to 60 dollars per day.",
     "The finance team reimburses approved expenses with the next payroll."],
    ["Page 4 - Equipment and security",
     "Laptops are encrypted and managed by IT. Report a lost device within one hour.",
     "Use the password manager for every work account and turn on two-factor login."],
]


def escape(text):
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def build(pages):
    objects = ["<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>")
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i, lines in enumerate(pages):
        objects.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                       f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>")
        body = "BT /F1 11 Tf 14 TL 72 740 Td\n"
        body += "".join(f"({escape(line)}) Tj T*\n" for line in lines) + "ET\n"
        objects.append(f"<< /Length {len(body)} >>\nstream\n{body}endstream")
    out = b"%PDF-1.4\n"
    offsets = []
    for n, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{obj}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return out


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    target = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        here, "sample-workspace", "acme-demo", "people", "employee-handbook.pdf")
    with open(target, "wb") as f:
        f.write(build(PAGES))
    print(target)
