"""A small Confluence Query Language: tokenizer, recursive-descent parser, evaluator.

Grammar (keywords are case-insensitive)::

    query    := [or_expr] [ORDER BY sort_key ("," sort_key)*]
    or_expr  := and_expr (OR and_expr)*
    and_expr := not_expr (AND not_expr)*
    not_expr := NOT not_expr | "(" or_expr ")" | clause
    clause   := field op value | field [NOT] IN "(" value ("," value)* ")"
    op       := "=" | "!=" | "~" | "!~" | ">" | ">=" | "<" | "<="
    value    := string | word | word "(" [value ("," value)*] ")"
    sort_key := field [ASC | DESC]

Fields: label, space (space.key), space.title, type, title, ancestor, parent, id (content),
text, creator, contributor, created, lastmodified. Functions: currentUser(), currentSpace(),
now("-2d"), startOfDay(), startOfWeek(), startOfMonth(), startOfYear() (with an optional
offset such as "-1w").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

KEYWORDS = {"and", "or", "not", "in", "order", "by", "asc", "desc"}
OPERATORS = ("!=", "!~", ">=", "<=", "=", "~", ">", "<")
EQUALITY = {"=", "!=", "in", "not in"}
FIELD_OPERATORS: dict[str, set[str]] = {
    "label": EQUALITY,
    "space": EQUALITY,
    "space.key": EQUALITY,
    "space.title": EQUALITY | {"~", "!~"},
    "type": EQUALITY,
    "title": EQUALITY | {"~", "!~"},
    "ancestor": EQUALITY,
    "parent": EQUALITY,
    "id": EQUALITY,
    "content": EQUALITY,
    "text": {"~", "!~"},
    "creator": EQUALITY,
    "contributor": EQUALITY,
    "created": {"=", "!=", ">", ">=", "<", "<="},
    "lastmodified": {"=", "!=", ">", ">=", "<", "<="},
}
SORTABLE = {"title", "created", "lastmodified", "id", "type", "space", "space.key"}


class CqlError(ValueError):
    """The query cannot be parsed (or names something CQL does not know)."""


# ---------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Token:
    kind: str  # "word" | "string" | "op" | "(" | ")" | "," | "eof"
    text: str
    position: int

    def is_keyword(self, *words: str) -> bool:
        return self.kind == "word" and self.text.lower() in words


_WORD = re.compile(r"[A-Za-z0-9_.\-+:*?@/\\$]+")


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    index = 0
    while index < len(source):
        char = source[index]
        if char.isspace():
            index += 1
            continue
        if char in "(),":
            tokens.append(Token(char, char, index))
            index += 1
            continue
        operator = next((op for op in OPERATORS if source.startswith(op, index)), None)
        if operator:
            tokens.append(Token("op", operator, index))
            index += len(operator)
            continue
        if char in "\"'":
            text, index = _read_string(source, index)
            tokens.append(Token("string", text, index))
            continue
        match = _WORD.match(source, index)
        if not match:
            raise CqlError(f"Unexpected character '{char}' at position {index}")
        tokens.append(Token("word", match.group(0), index))
        index = match.end()
    tokens.append(Token("eof", "", len(source)))
    return tokens


def _read_string(source: str, start: int) -> tuple[str, int]:
    quote, index, out = source[start], start + 1, []
    while index < len(source):
        char = source[index]
        if char == "\\" and index + 1 < len(source):
            out.append(source[index + 1])
            index += 2
            continue
        if char == quote:
            return "".join(out), index + 1
        out.append(char)
        index += 1
    raise CqlError(f"Unterminated string starting at position {start}")


# ---------------------------------------------------------------- syntax tree


@dataclass(frozen=True)
class Value:
    text: str
    function: str | None = None  # e.g. "now" for now("-1d")
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Clause:
    field: str
    operator: str  # "=", "!=", "~", "!~", ">", ">=", "<", "<=", "in", "not in"
    values: tuple[Value, ...]


@dataclass(frozen=True)
class And:
    left: Node
    right: Node


@dataclass(frozen=True)
class Or:
    left: Node
    right: Node


@dataclass(frozen=True)
class Not:
    operand: Node


Node = Clause | And | Or | Not


@dataclass(frozen=True)
class Query:
    where: Node | None
    order_by: tuple[tuple[str, bool], ...] = ()  # (field, descending)


class Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.index = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def expect(self, kind: str) -> Token:
        if self.token.kind != kind:
            raise self.error(f"expected '{kind}'")
        return self.advance()

    def error(self, what: str) -> CqlError:
        found = self.token.text or "end of query"
        return CqlError(f"{what} but found '{found}' at position {self.token.position}")

    def parse(self) -> Query:
        if self.token.kind == "eof":
            raise CqlError("The query is empty")
        where = None if self.token.is_keyword("order") else self.or_expr()
        order: list[tuple[str, bool]] = []
        if self.token.is_keyword("order"):
            self.advance()
            if not self.token.is_keyword("by"):
                raise self.error("expected 'by' after 'order'")
            self.advance()
            while True:
                name = self.field_name()
                if name not in SORTABLE:
                    raise CqlError(f"Cannot order by field '{name}'")
                descending = False
                if self.token.is_keyword("asc", "desc"):
                    descending = self.advance().text.lower() == "desc"
                order.append((name, descending))
                if self.token.kind != ",":
                    break
                self.advance()
        if self.token.kind != "eof":
            raise self.error("expected end of query")
        return Query(where, tuple(order))

    def or_expr(self) -> Node:
        node = self.and_expr()
        while self.token.is_keyword("or"):
            self.advance()
            node = Or(node, self.and_expr())
        return node

    def and_expr(self) -> Node:
        node = self.not_expr()
        while self.token.is_keyword("and"):
            self.advance()
            node = And(node, self.not_expr())
        return node

    def not_expr(self) -> Node:
        if self.token.is_keyword("not"):
            self.advance()
            return Not(self.not_expr())
        if self.token.kind == "(":
            self.advance()
            node = self.or_expr()
            self.expect(")")
            return node
        return self.clause()

    def field_name(self) -> str:
        token = self.token
        if token.kind not in ("word", "string") or token.text.lower() in KEYWORDS:
            raise self.error("expected a field name")
        self.advance()
        return token.text.lower()

    def clause(self) -> Clause:
        name = self.field_name()
        if name not in FIELD_OPERATORS:
            raise CqlError(f"Unknown field '{name}'")
        if self.token.is_keyword("not"):
            self.advance()
            if not self.token.is_keyword("in"):
                raise self.error("expected 'in' after 'not'")
            operator = "not in"
        elif self.token.is_keyword("in"):
            operator = "in"
        elif self.token.kind == "op":
            operator = self.token.text
        else:
            raise self.error(f"expected an operator after '{name}'")
        self.advance()
        if operator not in FIELD_OPERATORS[name]:
            raise CqlError(f"Operator '{operator}' is not supported for field '{name}'")
        if operator in ("in", "not in"):
            self.expect("(")
            values = [self.value()]
            while self.token.kind == ",":
                self.advance()
                values.append(self.value())
            self.expect(")")
            return Clause(name, operator, tuple(values))
        return Clause(name, operator, (self.value(),))

    def value(self) -> Value:
        token = self.token
        if token.kind == "string":
            self.advance()
            return Value(token.text)
        if token.kind != "word" or token.text.lower() in KEYWORDS:
            raise self.error("expected a value")
        self.advance()
        if self.token.kind != "(":
            return Value(token.text)
        self.advance()
        args: list[str] = []
        while self.token.kind != ")":
            if self.token.kind not in ("word", "string"):
                raise self.error("expected a function argument")
            args.append(self.advance().text)
            if self.token.kind == ",":
                self.advance()
            elif self.token.kind != ")":
                raise self.error("expected ',' or ')'")
        self.advance()
        return Value(token.text, token.text.lower(), tuple(args))


def parse(source: str) -> Query:
    return Parser(source).parse()


# ---------------------------------------------------------------- evaluation


@dataclass
class Record:
    """What CQL can see of one piece of content."""

    id: str
    type: str
    space_key: str
    space_title: str
    title: str
    text: str
    labels: list[str]
    ancestors: list[str]
    parent: str | None
    creator: set[str]  # every identifier of the creator (account id, username, e-mail)
    contributors: set[str]
    created: datetime
    lastmodified: datetime


@dataclass
class Context:
    current_user: set[str] = field(default_factory=set)
    current_space: str | None = None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


def compile_query(query: Query, context: Context) -> Callable[[Record], bool]:
    if query.where is None:
        return lambda record: True
    where = query.where
    return lambda record: _evaluate(where, record, context)


def sort_records(records: list[Record], query: Query) -> list[Record]:
    ordered = sorted(records, key=lambda r: int(r.id) if r.id.isdigit() else 0)
    for name, descending in reversed(query.order_by):
        ordered.sort(key=lambda r, n=name: _sort_key(r, n), reverse=descending)
    return ordered


def _sort_key(record: Record, name: str) -> object:
    if name == "title":
        return record.title.lower()
    if name in ("created", "lastmodified"):
        return getattr(record, name)
    if name == "id":
        return int(record.id) if record.id.isdigit() else 0
    if name == "type":
        return record.type
    return record.space_key.lower()


def _evaluate(node: Node, record: Record, context: Context) -> bool:
    if isinstance(node, And):
        return _evaluate(node.left, record, context) and _evaluate(node.right, record, context)
    if isinstance(node, Or):
        return _evaluate(node.left, record, context) or _evaluate(node.right, record, context)
    if isinstance(node, Not):
        return not _evaluate(node.operand, record, context)
    return _clause(node, record, context)


def _clause(clause: Clause, record: Record, context: Context) -> bool:
    name, operator = clause.field, clause.operator
    if name in ("created", "lastmodified"):
        return _compare_date(getattr(record, name), operator, clause.values[0], context)
    if name in ("text", "title", "space.title") and operator in ("~", "!~"):
        haystack = {"text": f"{record.title} {record.text} {' '.join(record.labels)}",
                    "title": record.title, "space.title": record.space_title}[name]
        found = _contains(haystack, _scalar(clause.values[0], context))
        return found if operator == "~" else not found
    present = _field_values(name, record)
    wanted = {_scalar(v, context).lower() for v in clause.values}
    if name in ("creator", "contributor"):
        wanted = set().union(*(_user_values(v, context) for v in clause.values))
    hit = bool(present & wanted)
    return hit if operator in ("=", "in") else not hit


def _field_values(name: str, record: Record) -> set[str]:
    values: dict[str, Callable[[], set[str]]] = {
        "label": lambda: {label.lower() for label in record.labels},
        "space": lambda: {record.space_key.lower()},
        "space.key": lambda: {record.space_key.lower()},
        "space.title": lambda: {record.space_title.lower()},
        "type": lambda: {record.type},
        "title": lambda: {record.title.lower()},
        "ancestor": lambda: set(record.ancestors),
        "parent": lambda: {record.parent} if record.parent else set(),
        "id": lambda: {record.id},
        "content": lambda: {record.id},
        "creator": lambda: {v.lower() for v in record.creator},
        "contributor": lambda: {v.lower() for v in record.contributors},
    }
    return values[name]()


def _scalar(value: Value, context: Context) -> str:
    if value.function is None:
        return value.text.removeprefix("global:")
    if value.function == "currentspace":
        if context.current_space is None:
            raise CqlError("currentSpace() needs a space in cqlcontext")
        return context.current_space
    if value.function == "currentuser":
        return next(iter(sorted(context.current_user)), "")
    raise CqlError(f"Function '{value.text}' cannot be used here")


def _user_values(value: Value, context: Context) -> set[str]:
    if value.function == "currentuser":
        return {v.lower() for v in context.current_user}
    return {_scalar(value, context).lower()}


def _contains(haystack: str, needle: str) -> bool:
    text = haystack.lower()
    needle = needle.strip()
    if len(needle) > 1 and needle[0] == needle[-1] == '"':
        return needle[1:-1].lower() in text
    terms = [t for t in re.split(r"[^\w*?]+", needle.lower()) if t]
    if not terms:
        return False
    for term in terms:
        pattern = re.escape(term).replace(r"\*", r"\w*").replace(r"\?", r"\w")
        if not re.search(pattern, text):
            return False
    return True


# ---------------------------------------------------------------- dates

_RELATIVE = re.compile(r"^([+-]?)(\d+)([yMwdhm])$")
_UNITS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60}


def _shift(moment: datetime, offset: str) -> datetime:
    match = _RELATIVE.match(offset.strip())
    if not match:
        raise CqlError(f"Invalid date offset '{offset}'")
    sign = -1 if match.group(1) == "-" else 1
    amount, unit = int(match.group(2)) * sign, match.group(3)
    if unit == "y":
        return moment.replace(year=moment.year + amount)
    if unit == "M":
        month = moment.month - 1 + amount
        return moment.replace(year=moment.year + month // 12, month=month % 12 + 1, day=1)
    return moment + timedelta(seconds=amount * _UNITS[unit])


def _interval(value: Value, context: Context) -> tuple[datetime, datetime]:
    """The span a date value names: a whole day for a date, an instant otherwise."""
    now = context.now
    if value.function:
        offset = value.args[0] if value.args else ""
        starts = {
            "startofday": now.replace(hour=0, minute=0, second=0, microsecond=0),
            "startofweek": (now - timedelta(days=now.weekday())).replace(
                hour=0, minute=0, second=0, microsecond=0),
            "startofmonth": now.replace(day=1, hour=0, minute=0, second=0, microsecond=0),
            "startofyear": now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0),
            "now": now,
        }
        if value.function not in starts:
            raise CqlError(f"Unknown date function '{value.text}'")
        moment = _shift(starts[value.function], offset) if offset else starts[value.function]
        return moment, moment
    text = value.text.strip()
    if _RELATIVE.match(text):
        moment = _shift(now, text)
        return moment, moment
    for pattern, whole_day in (("%Y-%m-%d", True), ("%Y/%m/%d", True),
                               ("%Y-%m-%d %H:%M", False), ("%Y/%m/%d %H:%M", False)):
        try:
            moment = datetime.strptime(text, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
        return (moment, moment + timedelta(days=1)) if whole_day else (moment, moment)
    raise CqlError(f"Invalid date '{text}'")


def _compare_date(moment: datetime, operator: str, value: Value, context: Context) -> bool:
    start, end = _interval(value, context)
    inside = start <= moment < end if end > start else moment == start
    return {
        "=": inside,
        "!=": not inside,
        ">": moment >= end if end > start else moment > start,
        ">=": moment >= start,
        "<": moment < start,
        "<=": moment < end if end > start else moment <= start,
    }[operator]
