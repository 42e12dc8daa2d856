"""The text form of conditions: a recursive-descent parser, and the renderer's public name.

``parse(text)`` turns rule text such as ``total >= 90 and kpi.csat.score >= 100`` into the
condition AST of :mod:`perfmgmt.model.condition`; ``render(node)`` writes canonical text back
with the fewest parentheses, so that ``parse(render(node)) == node`` for every node.

Nothing here evaluates anything. The language is closed: the tokenizer knows a fixed set of
operators, names are plain ASCII identifiers joined by dots, numbers and texts are literals
without escapes, and the only callable names are the built-in functions of
:class:`~perfmgmt.model.condition.Func`. Length, nesting depth and node count are checked while
tokenizing and parsing, so hostile text is refused in time linear in its (bounded) length and
without deep recursion.

The tokenizer (:mod:`perfmgmt.rules._tokens`) and the renderer (:mod:`perfmgmt.rules._render`)
live in their own modules; :func:`render` and :data:`DEPTH_CEILING` are public from here.
"""

from __future__ import annotations

import keyword
import math
import weakref
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import attrs

from perfmgmt.errors import RuleError, RuleLimitError, RuleSyntaxError, ValidationError
from perfmgmt.model.condition import (
    KEYWORDS,
    MAX_INDEX,
    And,
    Arith,
    ArithOp,
    Call,
    Compare,
    CompareOp,
    Condition,
    Const,
    Field,
    Func,
    In,
    Index,
    ListConst,
    Neg,
    Not,
    Or,
    Slice,
)
from perfmgmt.rules._render import DEPTH_CEILING, render
from perfmgmt.rules._tokens import DIGITS, Token, caret, limit_error, syntax_error, tokenize

__all__ = ["DEPTH_CEILING", "Limits", "parse", "render"]

_COMPARE_OPS = {op.value: op for op in CompareOp}
_ADD_OPS = {"+": ArithOp.ADD, "-": ArithOp.SUB}
_MUL_OPS = {"*": ArithOp.MUL, "/": ArithOp.DIV}
_FUNCS = {func.value: func for func in Func}
_TRUE_WORDS = frozenset({"true", "True"})
_FALSE_WORDS = frozenset({"false", "False"})
_NULL_WORDS = frozenset({"null", "None"})


def _positive_int(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise RuleError(f"Limits.{attribute.name}: {value!r} is not allowed; expected an int >= 1")


def _depth_limit(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _positive_int(_instance, attribute, value)
    if isinstance(value, int) and value > DEPTH_CEILING:
        raise RuleError(
            f"Limits.max_depth: {value!r} is not allowed; expected at most {DEPTH_CEILING} "
            "(deeper conditions would need deep recursion to check and evaluate)"
        )


@attrs.frozen(kw_only=True)
class Limits:
    """Safety limits on a condition, checked before anything is evaluated.

    Attributes:
        max_length: Most characters of rule text (the rendered text for an AST built in code).
        max_depth: Deepest nesting of the tree and of brackets in the text (at most 64).
        max_nodes: Most nodes in the tree, list items included.
        max_cost: Highest static cost estimate (operations per subject; see
            :func:`perfmgmt.rules.compile.check_condition`).
    """

    max_length: int = attrs.field(default=4000, validator=_positive_int)
    max_depth: int = attrs.field(default=32, validator=_depth_limit)
    max_nodes: int = attrs.field(default=500, validator=_positive_int)
    max_cost: int = attrs.field(default=10_000, validator=_positive_int)


_DEFAULT_LIMITS = Limits()


# --------------------------------------------------------------------------------------------
# Parser


class _Parsed(NamedTuple):
    node: Condition
    start: int
    end: int
    depth: int


class _Parser:
    def __init__(self, text: str, tokens: list[Token], limits: Limits) -> None:
        self.text = text
        self.tokens = tokens
        self.limits = limits
        self.i = 0
        self.nesting = 0
        self.count = 0
        self.spans: dict[int, tuple[int, int]] = {}

    # -- token helpers
    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def at_op(self, *ops: str) -> bool:
        tok = self.peek()
        return tok.kind == "op" and tok.text in ops

    def at_word(self, word: str, ahead: int = 0) -> bool:
        tok = self.peek(ahead)
        return tok.kind == "name" and tok.text == word

    def advance(self) -> Token:
        tok = self.peek()
        self.i += 1
        return tok

    def expect_op(self, op: str, context: str) -> Token:
        if not self.at_op(op):
            raise self.unexpected(f"expected {op!r} {context}")
        return self.advance()

    def unexpected(self, hint: str = "") -> RuleSyntaxError:
        tok = self.peek()
        if tok.kind == "eof":
            what = "the rule ends too early"
        elif tok.kind == "str":
            what = "unexpected text literal"
        elif tok.kind == "name" and keyword.iskeyword(tok.text) and tok.text not in KEYWORDS:
            what = f"{tok.text!r} is a Python keyword, not part of the rule language"
            hint = "use == or !=" if tok.text == "is" else ""
        else:
            shown = tok.text if len(tok.text) <= 40 else tok.text[:40] + "..."
            what = f"unexpected {shown!r}"
        return syntax_error(self.text, tok.start, f"{what}; {hint}" if hint else what)

    def enter(self, position: int) -> None:
        self.nesting += 1
        if self.nesting > self.limits.max_depth:
            raise limit_error(
                self.text, position, f"the condition nests deeper than {self.limits.max_depth}"
            )

    def leave(self) -> None:
        self.nesting -= 1

    # -- node construction with span, depth and count
    def make(
        self, build: Any, span: tuple[int, int], children: tuple[_Parsed, ...], **kw: Any
    ) -> _Parsed:
        start, end = span
        depth = 1 + max((c.depth for c in children), default=0)
        if depth > self.limits.max_depth:
            raise limit_error(
                self.text, start, f"the condition nests deeper than {self.limits.max_depth}"
            )
        self.count += 1
        if self.count > self.limits.max_nodes:
            raise limit_error(
                self.text, start, f"the condition has more than {self.limits.max_nodes} nodes"
            )
        try:
            node = build(**kw)
        except ValidationError as exc:
            raise syntax_error(self.text, start, str(exc)) from None
        self.spans[id(node)] = span
        return _Parsed(node, start, end, depth)

    # -- grammar, lowest precedence first
    def parse_or(self) -> _Parsed:
        parts = [self.parse_and()]
        while self.at_word("or"):
            self.advance()
            parts.append(self.parse_and())
        if len(parts) == 1:
            return parts[0]
        return self.make(
            Or, (parts[0].start, parts[-1].end), tuple(parts), operands=[p.node for p in parts]
        )

    def parse_and(self) -> _Parsed:
        parts = [self.parse_not()]
        while self.at_word("and"):
            self.advance()
            parts.append(self.parse_not())
        if len(parts) == 1:
            return parts[0]
        return self.make(
            And, (parts[0].start, parts[-1].end), tuple(parts), operands=[p.node for p in parts]
        )

    def parse_not(self) -> _Parsed:
        if not self.at_word("not"):
            return self.parse_compare()
        tok = self.advance()
        self.enter(tok.start)
        operand = self.parse_not()
        self.leave()
        return self.make(Not, (tok.start, operand.end), (operand,), operand=operand.node)

    def parse_compare(self) -> _Parsed:
        left = self.parse_additive()
        tok = self.peek()
        result: _Parsed
        if tok.kind == "op" and tok.text in _COMPARE_OPS:
            self.advance()
            right = self.parse_additive()
            result = self.make(
                Compare,
                (left.start, right.end),
                (left, right),
                op=_COMPARE_OPS[tok.text],
                left=left.node,
                right=right.node,
            )
        elif self.at_word("in") or (self.at_word("not") and self.at_word("in", 1)):
            negated = self.at_word("not")
            self.i += 2 if negated else 1
            options = self.parse_additive()
            if not isinstance(options.node, ListConst):
                raise syntax_error(
                    self.text,
                    options.start,
                    '\'in\' must be followed by a list of constants, e.g. ["A", "B"]',
                )
            result = self.make(
                In,
                (left.start, options.end),
                (left, options),
                item=left.node,
                options=options.node,
                negated=negated,
            )
        else:
            return left
        after = self.peek()
        if (after.kind == "op" and after.text in _COMPARE_OPS) or self.at_word("in"):
            raise syntax_error(
                self.text,
                after.start,
                "comparisons cannot be chained; join them with 'and', e.g. a < b and b < c",
            )
        return result

    def parse_additive(self) -> _Parsed:
        return self.parse_arith(self.parse_multiplicative, _ADD_OPS)

    def parse_multiplicative(self) -> _Parsed:
        return self.parse_arith(self.parse_unary, _MUL_OPS)

    def parse_arith(self, operand: Callable[[], _Parsed], ops: Mapping[str, ArithOp]) -> _Parsed:
        """Parse ``operand (op operand)*`` for one precedence level, left-associative."""
        left = operand()
        while self.at_op(*ops):
            op = ops[self.advance().text]
            right = operand()
            left = self.make(
                Arith,
                (left.start, right.end),
                (left, right),
                op=op,
                left=left.node,
                right=right.node,
            )
        return left

    def parse_unary(self) -> _Parsed:
        if not self.at_op("-"):
            return self.parse_postfix()
        tok = self.advance()
        number = self.peek()
        follower = self.peek(1)
        if number.kind == "num" and not (follower.kind == "op" and follower.text == "["):
            # A minus sign directly before a number is part of the literal: `-5` is Const(-5.0).
            self.advance()
            value = -self.number_value(number)
            return self.make(Const, (tok.start, number.end), (), value=value)
        self.enter(tok.start)
        operand = self.parse_unary()
        self.leave()
        return self.make(Neg, (tok.start, operand.end), (operand,), operand=operand.node)

    def parse_postfix(self) -> _Parsed:
        target = self.parse_primary()
        while self.at_op("["):
            self.advance()
            start = self.read_index() if not self.at_op(":", "]") else None
            if self.at_op(":"):
                self.advance()
                stop = self.read_index() if not self.at_op("]") else None
                close = self.expect_op("]", "to close the slice")
                target = self.make(
                    Slice,
                    (target.start, close.end),
                    (target,),
                    target=target.node,
                    start=start,
                    stop=stop,
                )
            else:
                if start is None:
                    raise self.unexpected("expected an integer index, e.g. [-1] or [-3:]")
                close = self.expect_op("]", "to close the index")
                target = self.make(
                    Index, (target.start, close.end), (target,), target=target.node, index=start
                )
        return target

    def read_index(self) -> int:
        sign = 1
        if self.at_op("-"):
            self.advance()
            sign = -1
        tok = self.peek()
        if tok.kind != "num" or not all(ch in DIGITS for ch in tok.text):
            raise self.unexpected("expected an integer index, e.g. [-1] or [-3:]")
        if len(tok.text) > 5 or int(tok.text) > MAX_INDEX:
            raise syntax_error(
                self.text, tok.start, f"index {tok.text} is too large (at most {MAX_INDEX})"
            )
        self.advance()
        return sign * int(tok.text)

    def number_value(self, tok: Token) -> float:
        value = float(tok.text)
        if not math.isfinite(value):
            raise limit_error(
                self.text,
                tok.start,
                f"number {tok.text} is too large (the largest is about 1.8e308)",
            )
        return value

    def parse_primary(self) -> _Parsed:
        tok = self.peek()
        if tok.kind == "num":
            self.advance()
            return self.make(Const, (tok.start, tok.end), (), value=self.number_value(tok))
        if tok.kind == "str":
            self.advance()
            return self.make(Const, (tok.start, tok.end), (), value=tok.text)
        if tok.kind == "op" and tok.text == "(":
            self.advance()
            self.enter(tok.start)
            inner = self.parse_or()
            self.leave()
            self.expect_op(")", "to close the '(' " + caret(self.text, tok.start).split("\n")[0])
            return inner
        if tok.kind == "op" and tok.text == "[":
            return self.parse_list()
        if tok.kind == "name":
            return self.parse_name()
        raise self.unexpected("expected a number, a text, a field name, a function call or '('")

    def parse_name(self) -> _Parsed:
        tok = self.advance()
        word = tok.text
        constant = _constant_word(word)
        if constant is not _NOT_A_CONSTANT:
            return self.make(Const, (tok.start, tok.end), (), value=constant)
        head = word.split(".", 1)[0]
        if head in {"and", "or", "not", "in"}:
            self.i -= 1
            raise self.unexpected(f"'{head}' needs a value before it")
        if keyword.iskeyword(head) or head in KEYWORDS:
            hint = " (use == or !=)" if head == "is" else ""
            raise syntax_error(
                self.text,
                tok.start,
                f"{head!r} is a Python keyword, not part of the rule language{hint}",
            )
        if self.at_op("("):
            return self.parse_call(tok)
        return self.make(Field, (tok.start, tok.end), (), path=tuple(word.split(".")))

    def parse_call(self, name: Token) -> _Parsed:
        func = _FUNCS.get(name.text)
        if func is None:
            known = ", ".join(sorted(_FUNCS))
            raise syntax_error(
                self.text,
                name.start,
                f"unknown function {name.text!r}; the functions are: {known}",
            )
        self.advance()  # "("
        self.enter(name.start)
        args: list[_Parsed] = []
        if not self.at_op(")"):
            args.append(self.parse_or())
            while self.at_op(","):
                self.advance()
                args.append(self.parse_or())
        close = self.expect_op(")", f"to close the arguments of {name.text}()")
        self.leave()
        return self.make(
            Call, (name.start, close.end), tuple(args), func=func, args=[a.node for a in args]
        )

    def parse_list(self) -> _Parsed:
        open_tok = self.advance()
        items: list[_Parsed] = []
        if not self.at_op("]"):
            items.append(self.parse_list_item())
            while self.at_op(","):
                self.advance()
                items.append(self.parse_list_item())
        close = self.expect_op("]", "to close the list")
        return self.make(
            ListConst,
            (open_tok.start, close.end),
            tuple(items),
            items=[item.node for item in items],
        )

    def parse_list_item(self) -> _Parsed:
        tok = self.peek()
        if tok.kind == "op" and tok.text == "-" and self.peek(1).kind == "num":
            self.advance()
            number = self.advance()
            return self.make(Const, (tok.start, number.end), (), value=-self.number_value(number))
        if tok.kind == "num":
            self.advance()
            return self.make(Const, (tok.start, tok.end), (), value=self.number_value(tok))
        if tok.kind == "str":
            self.advance()
            return self.make(Const, (tok.start, tok.end), (), value=tok.text)
        if tok.kind == "name":
            constant = _constant_word(tok.text)
            if constant is not _NOT_A_CONSTANT:
                self.advance()
                return self.make(Const, (tok.start, tok.end), (), value=constant)
        raise self.unexpected("list items must be constants: numbers, texts, true, false or null")


_NOT_A_CONSTANT = object()


def _constant_word(word: str) -> object:
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    if word in _NULL_WORDS:
        return None
    return _NOT_A_CONSTANT


# --------------------------------------------------------------------------------------------
# Where parsed nodes came from (for error messages that point at a column)


class _Source(NamedTuple):
    root: weakref.ref[Any]
    text: str
    spans: dict[int, tuple[int, int]]


_SOURCES: dict[int, _Source] = {}


def _remember(root: Condition, text: str, spans: dict[int, tuple[int, int]]) -> None:
    key = id(root)

    def forget(ref: weakref.ref[Any]) -> None:
        entry = _SOURCES.get(key)
        if entry is not None and entry.root is ref:
            del _SOURCES[key]

    _SOURCES[key] = _Source(weakref.ref(root, forget), text, spans)


def _source_of(root: Condition) -> tuple[str, dict[int, tuple[int, int]]] | None:
    """Return the text ``root`` was parsed from and the spans of its nodes, if it was."""
    entry = _SOURCES.get(id(root))
    if entry is None or entry.root() is not root:
        return None
    return entry.text, entry.spans


# --------------------------------------------------------------------------------------------
# Public API


def parse(text: str, *, limits: Limits = _DEFAULT_LIMITS) -> Condition:
    """Parse rule text into a condition tree.

    The grammar, loosest binding first: ``or``; ``and``; ``not``; comparisons (``==``, ``!=``,
    ``<``, ``<=``, ``>``, ``>=``, ``in [...]``, ``not in [...]``, not chainable); ``+ -``;
    ``* /``; unary ``-``; indexing ``x[-1]`` and slicing ``x[-3:]``; then literals (numbers,
    ``"text"``/``'text'`` without escapes, ``true``, ``false``, ``null``), lists of literals,
    dotted field names, calls of the built-in functions and parentheses.

    Args:
        text: The rule text, e.g. ``total >= 90 and kpi.csat.score >= 100``.
        limits: Safety limits; length, depth and node count are checked here.

    Returns:
        The condition tree.

    Raises:
        RuleSyntaxError: If the text is not a condition; ``position`` is the offending offset and
            the message shows the text with a caret under it.
        RuleLimitError: If the text is too long, too deeply nested or has too many nodes.

    Example:
        >>> render(parse("not (rating == 'E') or category.cost > 80"))
        'not rating == "E" or category.cost > 80'
    """
    if not isinstance(text, str):
        raise RuleSyntaxError(f"rule text must be a str, got {type(text).__name__}")
    if not isinstance(limits, Limits):
        raise RuleError(f"limits must be a Limits, got {type(limits).__name__}")
    if len(text) > limits.max_length:
        raise RuleLimitError(
            f"rule text is {len(text)} characters long; the limit is {limits.max_length}"
        )
    if not text.strip():
        raise RuleSyntaxError("rule text is empty", text=text, position=0)
    parser = _Parser(text, tokenize(text, limits.max_depth), limits)
    result = parser.parse_or()
    if parser.peek().kind != "eof":
        raise parser.unexpected("expected 'and', 'or', an operator or the end of the condition")
    _remember(result.node, text, parser.spans)
    return result.node
