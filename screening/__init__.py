"""Restricted-party screening: every party of an application checked against the US Consolidated
Screening List, the agency's own concern list and its past refusals (the denial register).

The app stands below ``licenses``: licensing calls its services and selectors at submission, at
the decision and on a refusal; it never imports licensing. A new list snapshot or a change of the
concern list re-screens the parties of pending applications and live licences through the
callables licensing registers in ``screening.rescreen`` (see docs/screening.md).
"""
