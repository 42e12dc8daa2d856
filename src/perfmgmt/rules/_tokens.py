"""The tokens of rule text, and error messages that point into the text.

:func:`tokenize` splits rule text into numbers, texts, dotted names and operators in one pass.
The set of operators is fixed, names are plain ASCII identifiers joined by dots, and numbers and
texts are literals without escapes. Brackets are paired and their nesting bounded here, so the
parser never meets an unclosed bracket and never nests deeper than the limit allows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from perfmgmt.errors import RuleLimitError, RuleSyntaxError, ValidationError
from perfmgmt.model.condition import MAX_PATH_LENGTH, MAX_TEXT_LENGTH, check_field_segment

__all__ = ["DIGITS", "Token", "caret", "limit_error", "syntax_error", "tokenize"]

DIGITS = frozenset("0123456789")
_MAX_NUMBER_CHARS = 64
_WHITESPACE = frozenset(" \t\r\n")
_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_CHARS = _NAME_START | DIGITS
_TWO_CHAR_OPS = frozenset({"==", "!=", "<=", ">="})
_ONE_CHAR_OPS = frozenset("()[],:+-*/<>")
_OPENERS = frozenset("([")
_BRACKETS = frozenset("()[]")
# Tokens from other languages that users type by habit; each gets a pointed message.
_FOREIGN_OPS = {
    "**": "'**' (power) is not part of the rule language",
    "//": "'//' (floor division) is not part of the rule language; use '/'",
    "&&": "use 'and' instead of '&&'",
    "||": "use 'or' instead of '||'",
    ":=": "':=' (assignment) is not part of the rule language",
    "<>": "use '!=' instead of '<>'",
    "=": "use '==' to compare; '=' (assignment) is not part of the rule language",
    "!": "use 'not' instead of '!'",
    "&": "use 'and' instead of '&'",
    "|": "use 'or' instead of '|'",
    "%": "'%' is not part of the rule language",
    ".": "'.' may only join the parts of a field name, e.g. kpi.csat.score",
}


# --------------------------------------------------------------------------------------------
# Error messages that point into the text


def caret(text: str, position: int) -> str:
    """Return the line of ``text`` holding ``position`` and a caret under it (windowed)."""
    position = max(0, min(position, len(text)))
    line_start = text.rfind("\n", 0, position) + 1
    line_end = text.find("\n", position)
    if line_end < 0:
        line_end = len(text)
    column = position - line_start
    left = max(line_start, position - 60)
    right = min(line_end, position + 60)
    prefix = "..." if left > line_start else ""
    suffix = "..." if right < line_end else ""
    snippet = prefix + text[left:right] + suffix
    pad = len(prefix) + (position - left)
    where = f"line {text.count(chr(10), 0, position) + 1}, " if "\n" in text else ""
    return f"({where}column {column + 1})\n  {snippet}\n  {' ' * pad}^"


def syntax_error(text: str, position: int, message: str) -> RuleSyntaxError:
    """Return a syntax error for ``text`` that shows ``position`` with a caret."""
    return RuleSyntaxError(f"{message} {caret(text, position)}", text=text, position=position)


def limit_error(text: str, position: int, message: str) -> RuleLimitError:
    """Return a limit error for ``text`` that shows ``position`` with a caret."""
    return RuleLimitError(f"{message} {caret(text, position)}")


# --------------------------------------------------------------------------------------------
# Tokenizer


class Token(NamedTuple):
    """One token: its kind, its text (a text literal without its quotes) and where it lies."""

    kind: str  # "num", "str", "name", "op", "eof"
    text: str
    start: int
    end: int


def tokenize(text: str, max_depth: int) -> list[Token]:
    """Split ``text`` into tokens ending with an ``eof`` token, pairing brackets on the way.

    Raises:
        RuleSyntaxError: An unknown character or operator, a malformed literal or name, or an
            unpaired bracket.
        RuleLimitError: A literal or name is too long, or brackets nest deeper than
            ``max_depth``.
    """
    tokens: list[Token] = []
    brackets: list[tuple[str, int]] = []
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        if ch in _WHITESPACE:
            i += 1
            continue
        scan = _SCANNERS.get(ch)
        if scan is not None:
            token = scan(text, i)
        else:
            token = _operator(text, i)
            if token.text in _BRACKETS:
                _pair_bracket(text, token, brackets, max_depth)
        tokens.append(token)
        i = token.end
    if brackets:
        opener, at = brackets[-1]
        raise syntax_error(text, at, f"{opener!r} is never closed")
    tokens.append(Token("eof", "", n, n))
    return tokens


def _operator(text: str, i: int) -> Token:
    """Read the operator at ``i``, refusing the operators of other languages by name."""
    two = text[i : i + 2]
    if two in _FOREIGN_OPS:
        raise syntax_error(text, i, _FOREIGN_OPS[two])
    if two in _TWO_CHAR_OPS:
        return Token("op", two, i, i + 2)
    ch = text[i]
    if ch in _FOREIGN_OPS:
        raise syntax_error(text, i, _FOREIGN_OPS[ch])
    if ch not in _ONE_CHAR_OPS:
        raise syntax_error(text, i, f"unexpected character {ch!r}")
    return Token("op", ch, i, i + 1)


def _pair_bracket(text: str, token: Token, brackets: list[tuple[str, int]], limit: int) -> None:
    """Push an opening bracket onto ``brackets`` or pop the one a closing bracket matches."""
    ch, i = token.text, token.start
    if ch in _OPENERS:
        brackets.append((ch, i))
        if len(brackets) > limit:
            raise limit_error(text, i, f"brackets are nested deeper than {limit} levels")
        return
    if not brackets:
        raise syntax_error(text, i, f"{ch!r} closes nothing")
    opener, at = brackets.pop()
    if (opener == "(") != (ch == ")"):
        raise syntax_error(text, i, f"{ch!r} does not match {opener!r} at {at + 1}")


def _number_token(text: str, start: int) -> Token:
    end = _scan_number(text, start)
    return Token("num", text[start:end], start, end)


def _text_token(text: str, start: int) -> Token:
    end = _scan_string(text, start)
    return Token("str", text[start + 1 : end - 1], start, end)


def _name_token(text: str, start: int) -> Token:
    end = _scan_name(text, start)
    return Token("name", text[start:end], start, end)


def _scan_digits(text: str, i: int) -> int:
    while i < len(text) and text[i] in DIGITS:
        i += 1
    return i


def _scan_number(text: str, start: int) -> int:
    i = _scan_digits(text, start)
    if i < len(text) and text[i] == ".":
        after = _scan_digits(text, i + 1)
        if after == i + 1:
            raise syntax_error(text, i, "a decimal point must be followed by digits, e.g. 1.0")
        i = after
    if i < len(text) and text[i] in "eE":
        j = i + 1
        if j < len(text) and text[j] in "+-":
            j += 1
        after = _scan_digits(text, j)
        if after == j:
            raise syntax_error(text, i, "an exponent must have digits, e.g. 1e6")
        i = after
    if i < len(text) and (text[i] in _NAME_CHARS or text[i] == "."):
        raise syntax_error(text, i, f"invalid number {text[start : i + 1]!r}")
    if i - start > _MAX_NUMBER_CHARS:
        raise limit_error(
            text,
            start,
            f"number literal is too long ({i - start} characters; at most {_MAX_NUMBER_CHARS})",
        )
    return i


def _scan_string(text: str, start: int) -> int:
    quote = text[start]
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == quote:
            if i - start - 1 > MAX_TEXT_LENGTH:
                raise limit_error(
                    text, start, f"text literal is longer than {MAX_TEXT_LENGTH} characters"
                )
            return i + 1
        if ch == "\\":
            raise syntax_error(
                text, i, "backslash escapes are not supported in texts; use the other quote kind"
            )
        if ch in "\r\n" or ord(ch) < 32 or ord(ch) == 127:
            raise syntax_error(text, i, "texts may not contain line breaks or control characters")
        i += 1
    raise syntax_error(text, start, f"text starting here is never closed with {quote}")


def _scan_name(text: str, start: int) -> int:
    i = start
    segments = 0
    while True:
        seg_start = i
        while i < len(text) and text[i] in _NAME_CHARS:
            i += 1
        segment = text[seg_start:i]
        segments += 1
        try:
            check_field_segment(segment, first=False, what="name")
        except ValidationError as exc:
            raise syntax_error(text, seg_start, _name_problem(segment, exc)) from None
        if segments > MAX_PATH_LENGTH:
            raise limit_error(text, start, f"a field name has at most {MAX_PATH_LENGTH} parts")
        if i + 1 < len(text) and text[i] == "." and text[i + 1] in _NAME_START:
            i += 1
            continue
        return i


def _name_problem(segment: str, exc: ValidationError) -> str:
    if segment.startswith("__"):
        return (
            f"name {segment!r} is not allowed: names starting with '__' are refused "
            "(conditions read data fields, never Python attributes)"
        )
    if len(segment) > 64:
        return f"name part {segment[:20]}... is longer than 64 characters"
    return str(exc)


# The first character of a literal or name says which scanner reads the token.
_SCANNERS: dict[str, Callable[[str, int], Token]] = {
    **dict.fromkeys(DIGITS, _number_token),
    **dict.fromkeys("\"'", _text_token),
    **dict.fromkeys(_NAME_START, _name_token),
}
