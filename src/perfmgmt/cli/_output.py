"""What the command writes: tables in four formats, words in two languages, progress."""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from perfmgmt._markdown import md_table_row

FORMATS = ("table", "csv", "json", "md")


class UsageError(Exception):
    """A bad option or argument, or an input file that cannot be opened: exit status 2."""


class InvalidDataError(Exception):
    """Invalid data met where a callee would report it otherwise: exit status 1."""


class Progress:
    """Step messages with elapsed time on stderr, only when stderr is a terminal."""

    def __init__(self, stream: TextIO, *, quiet: bool, steps: int) -> None:
        self._stream = stream
        self._on = not quiet and _is_terminal(stream)
        self._steps = steps
        self._n = 0
        self._t0 = time.perf_counter()

    def step(self, text: str) -> None:
        self._n += 1
        if self._on:
            elapsed = time.perf_counter() - self._t0
            self._stream.write(f"[{self._n}/{self._steps}] {elapsed:5.1f}s  {text}\n")
            self._stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


# -- words and numbers shown to people -----------------------------------------------------

_ZH = {
    "subject_id": "对象",
    "total": "总分",
    "rating": "评级",
    "quantitative": "量化得分",
    "qualitative": "质化得分",
    "group": "组",
    "contacts": "接触量",
    "csat": "客户满意度",
    "first_response_min": "首次响应(分钟)",
    "fcr": "首次接触解决率",
    "aht_s": "平均处理时长(秒)",
    "service_level": "服务水平",
    "abandonment": "放弃率",
    "cost_per_contact": "单次接触成本",
    "fired": "触发规则",
    "bonus": "奖金",
    "deduction": "扣减",
    "awarded": "奖励",
    "currency": "币种",
    "outcomes": "结果",
    "violations": "违规",
    "severity": "严重程度",
    "code": "代码",
    "location": "位置",
    "message": "说明",
    "fix": "修正",
}


def _heading(column: str, lang: str) -> str:
    return _ZH.get(column, column) if lang == "zh" else column


#: How table and Markdown output show a column's numbers (csv and json keep every digit).
_SHOW: dict[str, Callable[[float], str]] = {
    "csat": lambda v: f"{v:.1%}",
    "fcr": lambda v: f"{v:.1%}",
    "service_level": lambda v: f"{v:.1%}",
    "abandonment": lambda v: f"{v:.1%}",
    "first_response_min": lambda v: f"{v:.1f}",
    "aht_s": lambda v: f"{v:.0f}",
    "cost_per_contact": lambda v: f"{v:.2f}",
}


def _two_places(value: float) -> str:
    return f"{value:.2f}"


def _cell(column: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return _SHOW.get(column, _two_places)(value)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def markdown_table(rows: Sequence[Mapping[str, object]], columns: Sequence[str]) -> str:
    return render_md(rows, columns, "en")


def render_md(rows: Sequence[Mapping[str, object]], columns: Sequence[str], lang: str) -> str:
    rule = "|" + "|".join("---" for _ in columns) + "|"
    body = [md_table_row(_cell(c, r.get(c)) for c in columns) for r in rows]
    return "\n".join([md_table_row(_heading(c, lang) for c in columns), rule, *body])


def _render_table(rows: Sequence[Mapping[str, object]], columns: Sequence[str], lang: str) -> str:
    head = [_heading(c, lang) for c in columns]
    cells = [[_cell(c, r.get(c)) for c in columns] for r in rows]
    width = [max([_width(h), *(_width(row[j]) for row in cells)]) for j, h in enumerate(head)]
    numeric = [all(_numberish(row[j]) for row in cells) for j in range(len(columns))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            (" " * (w - _width(v)) + v) if num else (v + " " * (w - _width(v)))
            for v, w, num in zip(values, width, numeric, strict=True)
        ).rstrip()

    return "\n".join([line(head), line(["-" * w for w in width]), *(line(r) for r in cells)])


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if "\u1100" <= ch <= "\uffdc" and not ch.isascii() else 1 for ch in text)


def _numberish(text: str) -> bool:
    return not text or text.lstrip("-").replace(".", "", 1).rstrip("%").isdigit()


def _plain(value: object) -> object:
    """Return ``value`` as JSON and CSV take it: NaN as None, Decimal as a string."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def render(
    rows: Sequence[Mapping[str, object]], columns: Sequence[str], fmt: str, lang: str
) -> str:
    """Render rows in ``fmt``: every field in csv/json, ``columns`` in table/md."""
    if fmt == "json":
        plain = [{k: _plain(v) for k, v in r.items()} for r in rows]
        return json.dumps(plain, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        fields = list(rows[0]) if rows else list(columns)
        writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for r in rows:
            writer.writerow({k: _csv_cell(v) for k, v in r.items()})
        return buf.getvalue()
    if fmt == "md":
        return render_md(rows, columns, lang) + "\n"
    return _render_table(rows, columns, lang) + "\n"


def _csv_cell(value: object) -> object:
    plain = _plain(value)
    if plain is None:
        return ""
    if isinstance(plain, list):
        return ";".join(str(v) for v in plain)
    return plain


# -- where output goes ----------------------------------------------------------------------


def format_of(args: argparse.Namespace) -> str:
    """Return the output format: ``--format``, else the output file's extension, else table."""
    if args.format:
        return str(args.format)
    target = getattr(args, "output", None)
    if target and target != "-":
        suffix = Path(target).suffix.lower().lstrip(".")
        if suffix in ("csv", "json", "md"):
            return suffix
        raise UsageError(
            f"-o {target}: cannot tell the format from {Path(target).suffix or 'no extension'!r}; "
            "use .csv, .json or .md, or give --format"
        )
    return "table"


def emit(args: argparse.Namespace, text: str, out: TextIO, err: TextIO, what: str) -> None:
    """Write ``text`` to ``-o`` (``-`` or none: stdout) and say where on stderr."""
    target = getattr(args, "output", None)
    if not target or target == "-":
        out.write(text)
        return
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    err.write(f"{what} -> {target}\n")
