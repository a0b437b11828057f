"""The subset of AWS IoT SQL (version 2016-03-23) that the template's topic rules use.

Mosquitto routes messages but has no rules engine, so the local cloud evaluates each rule's
SQL on every message and invokes the rule's function with the result. Anything outside the
subset is refused when the rule is parsed: a rule that would silently behave differently
from AWS is worse than one that does not start.

The subset, and the AWS behaviour it reproduces (AWS IoT Developer Guide, "AWS IoT SQL
reference"):

- ``SELECT *``, ``SELECT a, b.c AS x, *`` and literals with an alias (``'x' AS kind``)
  ("SELECT clause", https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-select.html).
  A nested field without an alias is named by its last segment. A value that is Undefined
  (a missing field, ``topic(9)`` on a shorter topic) leaves its key out of the result; JSON
  null stays ("Data types",
  https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-data-types.html).
- ``FROM`` an MQTT topic filter in single quotes, matched with ``+`` and ``#``
  ("FROM clause", https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-from.html).
- ``WHERE`` with ``=``, ``<>``, ``<``, ``<=``, ``>``, ``>=``, ``AND``, ``OR``, ``NOT`` and
  parentheses; the actions run only when it is true, and SELECT aliases are not visible in it
  ("WHERE clause", https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-where.html).
  Operators follow the tables of "Operators"
  (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-operators.html): a comparison
  with Undefined is Undefined; ``=`` of mismatched types is false and ``<>`` true; ``<`` and
  friends compare as Decimals (numeric strings convert, other types give Undefined);
  ``AND``/``OR``/``NOT`` take Booleans or the strings "true"/"false", anything else gives
  Undefined. AWS IoT SQL has no ``!=`` and no ``IS [NOT] NULL``: it has the functions
  ``isNull()`` and ``isUndefined()``, supported here.
- Functions ``topic()``, ``topic(n)`` (1-based segment), ``clientid()``, ``timestamp()``
  (milliseconds since the epoch), ``isNull(x)``, ``isUndefined(x)``
  ("Functions", https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-functions.html).
  Function names and keywords are case-insensitive; field names are not.
- Payloads that are not a JSON object are "binary" ("Working with binary payloads",
  https://docs.aws.amazon.com/iot/latest/developerguide/binary-payloads.html): their fields
  are Undefined, and a SELECT that reads ``*`` or a field produces raw bytes, which the
  Lambda action does not support ("you must decode binary payloads"), so
  :meth:`TopicRule.evaluate` returns None: the function is not invoked. An empty payload
  counts as an empty object, since AWS lets a rule add data to an empty payload.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

SQL_VERSION = "2016-03-23"


class RuleSqlError(Exception):
    """The rule's SQL is outside the subset the local cloud reproduces faithfully."""


class _Undefined:
    """AWS IoT SQL's Undefined: not a value, dropped from results, never equal to anything."""

    def __repr__(self) -> str:
        return "Undefined"


UNDEFINED: Any = _Undefined()


# --- evaluation ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Message:
    topic: str
    document: dict[str, Any] | None
    """The payload as a JSON object, or None for a binary payload."""
    client_id: str
    now_ms: int


class _Expr:
    def eval(self, message: _Message) -> Any:
        raise NotImplementedError


@dataclass(frozen=True)
class _Literal(_Expr):
    value: Any

    def eval(self, message: _Message) -> Any:
        return self.value


@dataclass(frozen=True)
class _Field(_Expr):
    path: tuple[str, ...]

    def eval(self, message: _Message) -> Any:
        value: Any = message.document
        for name in self.path:
            if not isinstance(value, dict) or name not in value:
                return UNDEFINED
            value = value[name]
        return value


@dataclass(frozen=True)
class _Call(_Expr):
    name: str
    args: tuple[_Expr, ...]

    def eval(self, message: _Message) -> Any:
        if self.name == "topic":
            if not self.args:
                return message.topic
            index = self.args[0].eval(message)
            segments = message.topic.split("/")
            return segments[index - 1] if 1 <= index <= len(segments) else UNDEFINED
        if self.name == "clientid":
            return message.client_id
        if self.name == "timestamp":
            return message.now_ms
        value = self.args[0].eval(message)
        if self.name == "isnull":
            return value is None
        return value is UNDEFINED  # isundefined


@dataclass(frozen=True)
class _Compare(_Expr):
    op: str
    left: _Expr
    right: _Expr

    def eval(self, message: _Message) -> Any:
        left, right = self.left.eval(message), self.right.eval(message)
        if left is UNDEFINED or right is UNDEFINED:
            return UNDEFINED
        if self.op == "=":
            return _equal(left, right)
        if self.op == "<>":
            return not _equal(left, right)
        a, b = _to_decimal(left), _to_decimal(right)
        if a is UNDEFINED or b is UNDEFINED:
            return UNDEFINED
        return _ORDERINGS[self.op](a, b)


_ORDERINGS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


@dataclass(frozen=True)
class _Not(_Expr):
    operand: _Expr

    def eval(self, message: _Message) -> Any:
        value = _to_boolean(self.operand.eval(message))
        return UNDEFINED if value is UNDEFINED else not value


@dataclass(frozen=True)
class _Logical(_Expr):
    op: str  # "AND" | "OR"
    left: _Expr
    right: _Expr

    def eval(self, message: _Message) -> Any:
        left = _to_boolean(self.left.eval(message))
        right = _to_boolean(self.right.eval(message))
        if left is UNDEFINED or right is UNDEFINED:
            return UNDEFINED
        return (left and right) if self.op == "AND" else (left or right)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float | Decimal):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _equal(left: Any, right: Any) -> bool:
    """``=`` on two values (neither Undefined): mismatched types are simply not equal."""
    kind = _kind(left)
    if kind != _kind(right):
        return False
    if kind == "number":
        return Decimal(str(left)) == Decimal(str(right))
    if kind == "array":
        return len(left) == len(right) and all(map(_equal, left, right))
    if kind == "object":
        return left.keys() == right.keys() and all(_equal(left[k], right[k]) for k in left)
    return left == right


# The strings AWS converts to Decimal ("Data types", Conversions).
_DECIMAL_STRING = re.compile(r"-?\d+(\.\d+)?([eE]-?\d+)?")


def _to_decimal(value: Any) -> Any:
    if _kind(value) == "number":
        return Decimal(str(value))
    if isinstance(value, str) and _DECIMAL_STRING.fullmatch(value):
        return Decimal(value)
    return UNDEFINED


def _to_boolean(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return UNDEFINED


def _no_json_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _document(payload: bytes) -> dict[str, Any] | None:
    if not payload:
        return {}
    try:
        value = json.loads(payload, parse_constant=_no_json_constants)
    except ValueError:  # also UnicodeDecodeError
        return None
    return value if isinstance(value, dict) else None


# --- topic filters ---------------------------------------------------------------------


def _check_filter(topic_filter: str) -> None:
    if not topic_filter:
        raise RuleSqlError("FROM needs a topic filter")
    levels = topic_filter.split("/")
    for i, level in enumerate(levels):
        if "#" in level and (level != "#" or i != len(levels) - 1):
            raise RuleSqlError(f"'#' must be a whole last level: {topic_filter!r}")
        if "+" in level and level != "+":
            raise RuleSqlError(f"'+' must be a whole level: {topic_filter!r}")


def topic_matches(topic_filter: str, topic: str) -> bool:
    """MQTT matching; a wildcard first level never matches a ``$`` topic (MQTT 3.1.1 4.7.2)."""
    if not topic or "+" in topic or "#" in topic:
        return False
    if topic.startswith("$") and topic_filter[:1] in ("+", "#"):
        return False
    levels = topic.split("/")
    for i, level in enumerate(topic_filter.split("/")):
        if level == "#":
            return True
        if i >= len(levels) or (level != "+" and level != levels[i]):
            return False
    return len(levels) == len(topic_filter.split("/"))


# --- tokenizer -------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<string>'[^']*')
    | (?P<number>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op><>|<=|>=|!=|[=<>(),.*-])
    """,
    re.VERBOSE,
)
_KEYWORDS = frozenset(
    {"SELECT", "FROM", "WHERE", "AS", "AND", "OR", "NOT", "TRUE", "FALSE", "NULL"}
)


@dataclass(frozen=True)
class _Token:
    kind: str  # "string" | "number" | "name" | "keyword" | "op" | "end"
    text: str
    position: int


def _tokenize(sql: str) -> list[_Token]:
    tokens, position = [], 0
    while position < len(sql):
        match = _TOKEN.match(sql, position)
        if not match:
            raise RuleSqlError(f"unsupported character {sql[position]!r} at {position}: {sql}")
        kind, text = match.lastgroup or "", match.group()
        if kind == "name" and text.upper() in _KEYWORDS:
            kind, text = "keyword", text.upper()
        if kind != "space":
            tokens.append(_Token(kind, text, position))
        position = match.end()
    tokens.append(_Token("end", "", len(sql)))
    return tokens


# --- parser ----------------------------------------------------------------------------

_COMPARISONS = frozenset({"=", "<>", "<", "<=", ">", ">="})
# Lower-cased function name -> (fewest, most) arguments.
_ARITY = {
    "topic": (0, 1),
    "clientid": (0, 0),
    "timestamp": (0, 0),
    "isnull": (1, 1),
    "isundefined": (1, 1),
}


@dataclass(frozen=True)
class _Item:
    name: str | None  # None for "*"
    expr: _Expr | None


class _Parser:
    def __init__(self, sql: str) -> None:
        self.sql = sql
        self.tokens = _tokenize(sql)
        self.index = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def fail(self, why: str) -> RuleSqlError:
        token = self.token
        found = token.text or "end of statement"
        return RuleSqlError(f"{why} (found {found!r} at {token.position}): {self.sql}")

    def accept(self, kind: str, text: str | None = None) -> _Token | None:
        token = self.token
        if token.kind == kind and (text is None or token.text == text):
            self.index += 1
            return token
        return None

    def expect(self, kind: str, text: str | None = None, why: str = "") -> _Token:
        token = self.accept(kind, text)
        if token is None:
            raise self.fail(why or f"expected {text or kind}")
        return token

    def statement(self) -> tuple[list[_Item], str, _Expr | None]:
        self.expect("keyword", "SELECT")
        if self.token.kind == "name" and self.token.text.upper() == "VALUE":
            nxt = self.tokens[self.index + 1]
            if nxt.kind not in ("end", "keyword") and nxt.text not in (",", "."):
                raise self.fail("SELECT VALUE is not supported locally")
        items = [self.item()]
        while self.accept("op", ","):
            items.append(self.item())
        self.expect("keyword", "FROM", "expected FROM (one statement, no SET, no subqueries)")
        topic_filter = self.expect("string", why="FROM takes a topic filter in single quotes")
        condition = self.expr() if self.accept("keyword", "WHERE") else None
        self.expect("end", why="unsupported clause (no JOIN, GROUP BY, ORDER BY, ...)")
        return items, topic_filter.text[1:-1], condition

    def item(self) -> _Item:
        if self.accept("op", "*"):
            return _Item(None, None)
        expr = self.expr()
        if self.accept("keyword", "AS"):
            alias = self.expect("name", why="AS takes a plain name (no dots, no quotes)")
            if self.token.text == ".":
                raise self.fail("nested aliases (AS a.b) are not supported locally")
            return _Item(alias.text, expr)
        if isinstance(expr, _Field):
            return _Item(expr.path[-1], expr)
        raise self.fail("a SELECT expression that is not a field needs AS <name>")

    def expr(self) -> _Expr:
        left = self.conjunction()
        while self.accept("keyword", "OR"):
            left = _Logical("OR", left, self.conjunction())
        return left

    def conjunction(self) -> _Expr:
        left = self.negation()
        while self.accept("keyword", "AND"):
            left = _Logical("AND", left, self.negation())
        return left

    def negation(self) -> _Expr:
        if self.accept("keyword", "NOT"):
            return _Not(self.negation())
        return self.comparison()

    def comparison(self) -> _Expr:
        left = self.operand()
        token = self.token
        if token.text == "!=":
            raise self.fail("AWS IoT SQL has no '!=': use '<>'")
        if token.kind == "name" and token.text.upper() == "IS":
            raise self.fail("AWS IoT SQL has no IS [NOT] NULL: use isNull() or isUndefined()")
        if token.kind == "op" and token.text in _COMPARISONS:
            self.index += 1
            right = self.operand()
            if self.token.kind == "op" and self.token.text in _COMPARISONS:
                raise self.fail("comparisons do not chain")
            return _Compare(token.text, left, right)
        return left

    def operand(self) -> _Expr:
        token = self.token
        if self.accept("op", "("):
            inner = self.expr()
            self.expect("op", ")")
            return inner
        if self.accept("string"):
            return _Literal(token.text[1:-1])
        if token.text == "-" or token.kind == "number":
            return self.number()
        if token.kind == "keyword" and token.text in ("TRUE", "FALSE", "NULL"):
            self.index += 1
            return _Literal({"TRUE": True, "FALSE": False, "NULL": None}[token.text])
        if self.accept("name"):
            if self.accept("op", "("):
                return self.call(token)
            path = [token.text]
            while self.accept("op", "."):
                path.append(self.expect("name", why="a field name after '.'").text)
            return _Field(tuple(path))
        raise self.fail("expected a field, a literal, a function call or '('")

    def number(self) -> _Literal:
        sign = "-" if self.accept("op", "-") else ""
        token = self.expect("number", why="arithmetic is not supported locally")
        text = sign + token.text
        is_int = re.fullmatch(r"-?\d+", text) is not None
        return _Literal(int(text) if is_int else float(text))

    def call(self, name_token: _Token) -> _Call:
        name = name_token.text.lower()
        if name not in _ARITY:
            raise RuleSqlError(f"function {name_token.text}() is not supported locally: {self.sql}")
        args: list[_Expr] = []
        if not self.accept("op", ")"):
            args.append(self.expr())
            while self.accept("op", ","):
                args.append(self.expr())
            self.expect("op", ")")
        low, high = _ARITY[name]
        if not low <= len(args) <= high:
            raise RuleSqlError(f"{name_token.text}() takes {low}..{high} arguments: {self.sql}")
        if name == "topic" and args:
            index = args[0]
            if not (isinstance(index, _Literal) and type(index.value) is int and index.value > 0):
                raise RuleSqlError(f"topic(n) needs a positive integer literal: {self.sql}")
        return _Call(name, tuple(args))


def _reads_payload(expr: _Expr | None) -> bool:
    """Whether a SELECT item (None stands for ``*``) needs the payload's JSON."""
    if expr is None or isinstance(expr, _Field):
        return True
    if isinstance(expr, _Call):
        return any(map(_reads_payload, expr.args))
    if isinstance(expr, _Compare | _Logical):
        return _reads_payload(expr.left) or _reads_payload(expr.right)
    if isinstance(expr, _Not):
        return _reads_payload(expr.operand)
    return False


# --- public API ------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicRule:
    """A parsed rule: which messages it takes and what its action receives."""

    sql: str
    topic_filter: str
    items: tuple[_Item, ...]
    condition: _Expr | None

    def matches(self, topic: str) -> bool:
        return topic_matches(self.topic_filter, topic)

    def evaluate(self, topic: str, payload: bytes, client_id: str, now_ms: int) -> dict | None:
        """The object the rule's Lambda action receives, or None when nothing is invoked.

        None: the topic does not match, WHERE is not true, or the payload is not a JSON
        object while SELECT reads ``*`` or a field (AWS would hand the action raw bytes, which
        a Lambda action refuses).
        """
        if not self.matches(topic):
            return None
        message = _Message(topic, _document(payload), client_id, now_ms)
        if self.condition is not None and _to_boolean(self.condition.eval(message)) is not True:
            return None
        if message.document is None and any(_reads_payload(item.expr) for item in self.items):
            return None
        result: dict[str, Any] = {}
        for item in self.items:
            if item.expr is None:
                result.update(message.document or {})
                continue
            value = item.expr.eval(message)
            if value is not UNDEFINED:
                result[item.name or ""] = value
        return result


def parse_rule(sql: str, *, sql_version: str = SQL_VERSION) -> TopicRule:
    """Parse a rule's SQL, refusing anything the local cloud would not evaluate like AWS.

    Pass the template's ``AwsIotSqlVersion``: when a rule leaves it out, AWS uses
    2015-10-08, whose semantics differ (nested fields, literals) and are not reproduced.
    """
    if sql_version != SQL_VERSION:
        raise RuleSqlError(f"only AwsIotSqlVersion {SQL_VERSION} is reproduced, not {sql_version}")
    items, topic_filter, condition = _Parser(sql).statement()
    _check_filter(topic_filter)
    return TopicRule(sql, topic_filter, tuple(items), condition)
