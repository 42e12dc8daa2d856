"""What lint reports: a finding's severity, the finding, and the report for one scheme."""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from perfmgmt._html import esc, html_table
from perfmgmt._validate import instance_of, tuple_of
from perfmgmt._words import word


class Severity(enum.Enum):
    """How serious a finding is; ``ERROR`` findings make ``perfmgmt lint`` exit non-zero."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@attrs.frozen(kw_only=True)
class LintFinding:
    """One thing lint found.

    Attributes:
        code: Stable identifier of the check, e.g. ``"weight-too-low"``.
        severity: How serious it is.
        location: JSON path into the scheme, e.g. ``"kpis[2]"`` or ``"tables[0].rows[3]"``.
        message: What is wrong, with the values concerned.
        fix: A suggested fix.
    """

    code: str = attrs.field(validator=instance_of(str))
    severity: Severity = attrs.field(validator=instance_of(Severity))
    location: str = attrs.field(validator=instance_of(str))
    message: str = attrs.field(validator=instance_of(str))
    fix: str = attrs.field(default="", validator=instance_of(str))

    def text(self) -> str:
        """Return the finding as one or two lines of text."""
        line = f"{self.severity.value}: {self.location}: {self.message} [{self.code}]"
        return f"{line}\n    fix: {self.fix}" if self.fix else line

    def to_record(self) -> dict[str, str]:
        """Return the finding as a JSON-ready dict."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "location": self.location,
            "message": self.message,
            "fix": self.fix,
        }


def _findings(value: Iterable[LintFinding]) -> tuple[LintFinding, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class LintReport:
    """All findings for one scheme, most severe first.

    Attributes:
        scheme_key: The scheme's key.
        scheme_hash: The scheme's content hash.
        findings: The findings, sorted by severity then location.
    """

    scheme_key: str = attrs.field(validator=instance_of(str))
    scheme_hash: str = attrs.field(validator=instance_of(str))
    findings: tuple[LintFinding, ...] = attrs.field(
        converter=_findings, validator=tuple_of(LintFinding)
    )

    @property
    def errors(self) -> tuple[LintFinding, ...]:
        """The ``ERROR`` findings."""
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def has_errors(self) -> bool:
        """Whether any finding is an error."""
        return bool(self.errors)

    def codes(self) -> tuple[str, ...]:
        """Return the findings' codes in report order."""
        return tuple(f.code for f in self.findings)

    def by_code(self, code: str) -> tuple[LintFinding, ...]:
        """Return the findings with ``code``."""
        return tuple(f for f in self.findings if f.code == code)

    def text(self, lang: str = "en") -> str:
        """Return the report as readable text, one finding per line plus its fix.

        Args:
            lang: Language of the count line, ``"en"`` or ``"zh"`` (the findings' own
                messages are in English).
        """
        counts = {s: sum(f.severity is s for f in self.findings) for s in Severity}
        head = word("lint.head", lang).format(
            scheme=self.scheme_key,
            errors=counts[Severity.ERROR],
            warnings=counts[Severity.WARNING],
            notes=counts[Severity.INFO],
        )
        return "\n".join([head, *(f.text() for f in self.findings)])

    def to_records(self) -> list[dict[str, str]]:
        """Return the findings as JSON-ready dicts."""
        return [f.to_record() for f in self.findings]

    def __str__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        counts = {s: sum(f.severity is s for f in self.findings) for s in Severity}
        head = (
            f"<div><strong>Lint of scheme <code>{esc(self.scheme_key)}</code></strong> "
            f"<code>{esc(self.scheme_hash[:19])}…</code> · {counts[Severity.ERROR]} error(s), "
            f"{counts[Severity.WARNING]} warning(s), {counts[Severity.INFO]} note(s)</div>"
        )
        if not self.findings:
            return f"<div>{head}<div>No findings.</div></div>"
        rows = [(f.severity.value, f.location, f.message, f.fix, f.code) for f in self.findings]
        table = html_table(
            ("severity", "where", "finding", "fix", "check"), rows, max_rows=len(rows)
        )
        return f"<div>{head}{table}</div>"
