"""JQL lexer and recursive-descent parser producing a small AST.

Grammar (case-insensitive keywords)::

    query   := [or] [ORDER BY sort ("," sort)*]
    or      := and (OR and)*
    and     := not (AND not)*
    not     := (NOT | "!") not | "(" or ")" | clause
    clause  := field ( op value | [NOT] IN list | IS [NOT] (EMPTY|NULL) )
    op      := "=" | "!=" | "~" | "!~" | ">" | ">=" | "<" | "<="
    value   := word | "quoted" | 'quoted' | function "(" [arg ("," arg)*] ")" | EMPTY | NULL
    list    := "(" value ("," value)* ")"
    sort    := field [ASC | DESC]
"""

from __future__ import annotations

from dataclasses import dataclass, field

OPERATORS = ("!=", "!~", ">=", "<=", "=", "~", ">", "<")
KEYWORDS = {"and", "or", "not", "in", "is", "empty", "null", "order", "by", "asc", "desc"}
WORD_STOP = set(" \t\r\n()=,!~<>\"'")
VALID_OPS = "'=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'"


class JqlError(ValueError):
    """A query Jira would reject; ``str(err)`` is the message Jira shows."""


@dataclass(frozen=True)
class Token:
    kind: str  # word | string | op | lparen | rparen | comma | end
    text: str
    pos: int  # 1-based character

    def keyword(self, *names: str) -> bool:
        return self.kind == "word" and self.text.lower() in names


@dataclass(frozen=True)
class Value:
    text: str
    quoted: bool = False
    function: str | None = None
    args: tuple[str, ...] = ()
    empty: bool = False


@dataclass(frozen=True)
class Clause:
    field: str
    op: str  # = != ~ !~ > >= < <= in "not in" is "is not"
    values: tuple[Value, ...]
    pos: int


@dataclass(frozen=True)
class BoolOp:
    op: str  # and | or
    children: tuple


@dataclass(frozen=True)
class Not:
    child: object


@dataclass
class Query:
    where: object | None
    order: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)


def _syntax(message: str, pos: int) -> JqlError:
    return JqlError(f"Error in the JQL Query: {message} (line 1, character {pos})")


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()," :
            tokens.append(Token({"(": "lparen", ")": "rparen", ",": "comma"}[ch], ch, i + 1))
            i += 1
            continue
        if ch in "\"'":
            j, out = i + 1, []
            while j < len(text) and text[j] != ch:
                if text[j] == "\\" and j + 1 < len(text):
                    j += 1
                out.append(text[j])
                j += 1
            if j >= len(text):
                raise _syntax(f"The quoted string '{''.join(out)}' has not been completed.", i + 1)
            tokens.append(Token("string", "".join(out), i + 1))
            i = j + 1
            continue
        op = next((o for o in OPERATORS if text.startswith(o, i)), None)
        if op:
            tokens.append(Token("op", op, i + 1))
            i += len(op)
            continue
        if ch == "!":
            tokens.append(Token("word", "not", i + 1))
            i += 1
            continue
        j = i
        while j < len(text) and text[j] not in WORD_STOP:
            j += 1
        tokens.append(Token("word", text[i:j], i + 1))
        i = j
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


class Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def describe(self, tok: Token) -> str:
        return "end of query" if tok.kind == "end" else f"'{tok.text}'"

    def parse(self) -> Query:
        where = None
        if not (self.tok.kind == "end" or self.tok.keyword("order")):
            where = self.parse_or()
        order: list[tuple[str, bool]] = []
        if self.tok.keyword("order"):
            self.take()
            if not self.tok.keyword("by"):
                raise _syntax(f"Expecting 'by' but got {self.describe(self.tok)}.", self.tok.pos)
            self.take()
            while True:
                name = self.parse_field()
                desc = False
                if self.tok.keyword("asc", "desc"):
                    desc = self.take().text.lower() == "desc"
                order.append((name, desc))
                if self.tok.kind != "comma":
                    break
                self.take()
        if self.tok.kind != "end":
            raise _syntax(f"Expecting either 'OR' or 'AND' but got {self.describe(self.tok)}.", self.tok.pos)
        return Query(where, order)

    def parse_or(self) -> object:
        children = [self.parse_and()]
        while self.tok.keyword("or"):
            self.take()
            children.append(self.parse_and())
        return children[0] if len(children) == 1 else BoolOp("or", tuple(children))

    def parse_and(self) -> object:
        children = [self.parse_not()]
        while self.tok.keyword("and"):
            self.take()
            children.append(self.parse_not())
        return children[0] if len(children) == 1 else BoolOp("and", tuple(children))

    def parse_not(self) -> object:
        if self.tok.keyword("not"):
            self.take()
            return Not(self.parse_not())
        if self.tok.kind == "lparen":
            self.take()
            inner = self.parse_or()
            if self.tok.kind != "rparen":
                raise _syntax(f"Expecting ')' but got {self.describe(self.tok)}.", self.tok.pos)
            self.take()
            return inner
        return self.parse_clause()

    def parse_field(self) -> str:
        tok = self.tok
        if tok.kind == "string" or (tok.kind == "word" and tok.text.lower() not in KEYWORDS):
            self.take()
            return tok.text
        raise _syntax(f"Expecting a field name but got {self.describe(tok)}.", tok.pos)

    def parse_clause(self) -> Clause:
        start = self.tok.pos
        name = self.parse_field()
        tok = self.tok
        if tok.kind == "op":
            self.take()
            return Clause(name, tok.text, (self.parse_value(name),), start)
        if tok.keyword("in"):
            self.take()
            return Clause(name, "in", self.parse_list(name), start)
        if tok.keyword("not"):
            self.take()
            if not self.tok.keyword("in"):
                raise _syntax(f"Expecting 'IN' but got {self.describe(self.tok)}.", self.tok.pos)
            self.take()
            return Clause(name, "not in", self.parse_list(name), start)
        if tok.keyword("is"):
            self.take()
            op = "is"
            if self.tok.keyword("not"):
                self.take()
                op = "is not"
            if not self.tok.keyword("empty", "null"):
                raise _syntax(f"Expecting 'EMPTY' or 'NULL' but got {self.describe(self.tok)}.", self.tok.pos)
            self.take()
            return Clause(name, op, (Value("EMPTY", empty=True),), start)
        raise _syntax(f"Expecting operator but got {self.describe(tok)}. The valid operators are {VALID_OPS}.",
                      tok.pos)

    def parse_list(self, name: str) -> tuple[Value, ...]:
        if self.tok.kind != "lparen":
            return (self.parse_value(name),)
        self.take()
        values = [self.parse_value(name)]
        while self.tok.kind == "comma":
            self.take()
            values.append(self.parse_value(name))
        if self.tok.kind != "rparen":
            raise _syntax(f"Expecting ')' but got {self.describe(self.tok)}.", self.tok.pos)
        self.take()
        return tuple(values)

    def parse_value(self, name: str) -> Value:
        tok = self.tok
        if tok.kind == "string":
            self.take()
            return Value(tok.text, quoted=True)
        if tok.kind == "word" and tok.text.lower() in ("empty", "null"):
            self.take()
            return Value(tok.text, empty=True)
        if tok.kind == "word" and tok.text.lower() not in KEYWORDS:
            self.take()
            if self.tok.kind == "lparen":
                self.take()
                args: list[str] = []
                while self.tok.kind != "rparen":
                    if self.tok.kind not in ("word", "string"):
                        raise _syntax(f"Expecting ')' but got {self.describe(self.tok)}.", self.tok.pos)
                    args.append(self.take().text)
                    if self.tok.kind == "comma":
                        self.take()
                self.take()
                return Value(tok.text, function=tok.text, args=tuple(args))
            return Value(tok.text)
        raise _syntax(
            f"Expecting either a value, list or function but got {self.describe(tok)}. "
            f"You must specify a value for the field '{name}'.", tok.pos)


def parse(text: str) -> Query:
    """Parse a JQL string; raises :class:`JqlError` with Jira's wording on bad input."""
    return Parser(text or "").parse()
