"""GitHub's `${{ }}` expressions and `if:` conditions, of the forms workflows use: status functions,
hashFiles('glob', ...), ! == != && || (binding in that order, tightest first), parentheses,
'strings', true/false/null and context paths such as steps.gate.outcome (missing: '').
Read by a recursive-descent parser that computes the value as it reads; nothing is executed."""
import glob
import hashlib
import operator
import os
import re

from testing.nightly import Unsupported

STATUS_FUNCTIONS = ("always", "success", "failure", "cancelled")
LITERALS = {"true": True, "false": False, "null": None}
BINARY = [  # loosest first; && and || give an operand's value, as GitHub's do
    {"||": lambda a, b: a or b},
    {"&&": lambda a, b: a and b},
    {"==": operator.eq, "!=": operator.ne},
]
TOKEN = re.compile(r"\s*(?:(&&|\|\||==|!=|!|\(|\)|,)|'((?:[^']|'')*)'|([A-Za-z_][\w-]*(?:\.[\w-]+)*))")


def hash_files(workspace, patterns):
    """GitHub's hashFiles(): the SHA-256 of the SHA-256 of every file the glob patterns match under
    the workspace, in path order; '' when none matches."""
    paths = sorted({p for pattern in patterns for p in glob.glob(os.path.join(workspace, pattern), recursive=True)
                    if os.path.isfile(p)})
    if not paths:
        return ""
    total = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as f:
            total.update(hashlib.sha256(f.read()).digest())
    return total.hexdigest()


def tokens(expression):
    """The expression's tokens, each ("op", text), ("string", value) or ("name", text)."""
    found, text, pos = [], expression.strip(), 0
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if not match:
            raise Unsupported(f"expression {expression!r}: cannot read {text[pos:]!r}")
        op, string, name = match.groups()
        found.append(("op", op) if op else ("string", string.replace("''", "'")) if string is not None
                     else ("name", name))
        pos = match.end()
    return found


class Reader:
    """One expression's value, read from its tokens with the context and the status functions' values."""

    def __init__(self, expression, context, status):
        self.expression, self.context, self.status = expression, context, status
        self.rest = tokens(expression)[::-1]  # the next token last

    def fail(self, why):
        """Raise Unsupported, naming the expression and why."""
        raise Unsupported(f"expression {self.expression!r}: {why}")

    def take(self, *ops):
        """The next token's operator when it is one of ops (consumed), else None."""
        if self.rest and self.rest[-1][0] == "op" and self.rest[-1][1] in ops:
            return self.rest.pop()[1]
        return None

    def expect(self, op):
        """Consume op; raise Unsupported when the next token is not op."""
        if not self.take(op):
            self.fail(f"{op!r} expected")

    def value(self):
        """The whole expression's value."""
        value = self.binary()
        if self.rest:
            self.fail(f"unexpected {self.rest[-1][1]!r}")
        return value

    def binary(self, level=0):
        """An expression of the operators of BINARY[level:] and below, each level read left to right."""
        if level == len(BINARY):
            return self.negation()
        value = self.binary(level + 1)
        while op := self.take(*BINARY[level]):
            value = BINARY[level][op](value, self.binary(level + 1))
        return value

    def negation(self):
        """!a."""
        return not self.negation() if self.take("!") else self.operand()

    def operand(self):
        """A string, a literal, a context path, a function call or a parenthesised expression."""
        if not self.rest:
            self.fail("it ends too early")
        kind, text = self.rest.pop()
        if kind == "string":
            return text
        if (kind, text) == ("op", "("):
            value = self.binary()
            self.expect(")")
            return value
        if kind == "op":
            self.fail(f"unexpected {text!r}")
        if self.take("("):
            return self.call(text)
        if text in LITERALS:
            return LITERALS[text]
        value = self.context
        for part in text.split("."):
            value = value.get(part, "") if isinstance(value, dict) else ""
        return value

    def call(self, name):
        """The value of function name, its arguments read up to the closing parenthesis."""
        arguments = []
        if not self.take(")"):
            arguments.append(self.binary())
            while self.take(","):
                arguments.append(self.binary())
            self.expect(")")
        if name == "hashFiles" and all(isinstance(a, str) for a in arguments):
            return hash_files(self.context.get("github", {}).get("workspace", "."), arguments)
        if name in self.status and not arguments:
            return self.status[name]
        self.fail(f"function {name}() is not emulated")


def evaluate(expression, context, status):
    """The value of a GitHub expression (module docstring) in the context; status holds the values of
    the status functions, hashFiles() reads under github.workspace."""
    return Reader(expression, context, status).value()


def as_text(value):
    """A value as GitHub writes it into text: true/false, '' for null."""
    return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def substitute(text, context, status):
    """text with every ${{ expression }} replaced by its value, as GitHub does before a step runs."""
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: as_text(evaluate(m.group(1), context, status)), str(text))


def should_run(step, context, status):
    """A step's `if:`; without a status function GitHub reads it as success() && (...)."""
    condition = re.sub(r"^\$\{\{(.*)\}\}$", r"\1", str(step.get("if", "success()")).strip(), flags=re.S)
    if not re.search(rf"\b({'|'.join(STATUS_FUNCTIONS)})\(\)", condition):
        condition = f"success() && ({condition})"
    return bool(evaluate(condition, context, status))
