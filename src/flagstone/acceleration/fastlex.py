"""Pygments' regex lexers run with one combined pattern per state: the same tokens in about half the time.

A RegexLexer tries a state's rules one by one at each position, up to thirty `match` calls for one
token. Joined as alternatives of one pattern, `(rule0)|(rule1)|...`, the regex engine does that trial
in C and `lastindex` names the rule that matched: alternation takes the first alternative that matches,
exactly as the lexer takes the first rule, so the token stream is the same. Rules with callbacks are
matched again alone, so a callback sees the match object it was written for. Where the character at a
position can start only a few of a state's rules (see regex_starts), those are tried alone instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from pygments.token import Error, Text, Whitespace, _TokenType

from flagstone.acceleration.regex_starts import Starts, match_starts

if TYPE_CHECKING:
    # Imported where used: pygments.lexer loads Pygments' plugin machinery (importlib.metadata, about
    # 15 ms), which a build whose code is all known from the cache never needs.
    from pygments.lexer import ExtendedRegexLexer, RegexLexer

Token = tuple[int, _TokenType, str]
# (match, action, new state), as Pygments keeps a rule
Rule = tuple[Callable[..., "re.Match[str] | None"], Any, Any]

# A leading global-flags group, which cannot stay global once the rule is one alternative among others.
_GLOBAL_FLAGS = re.compile(r"\A\(\?([imsx]+)\)")
# Back references count groups; the other rules' groups would shift them.
_GROUP_REFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")


@dataclass(frozen=True)
class _Run:
    """Consecutive rules of a state: joined into one pattern when they can be, else a single rule."""

    match: Callable[[str, int, int], re.Match[str] | None]
    rules: tuple[Rule, ...]  # single: the rule; joined: by group number of the combined pattern
    single: bool


def _alternative(pattern: re.Pattern[str], lexer_flags: int) -> str | None:
    """The rule's pattern as one capturing alternative under the lexer's flags, or None when it cannot
    be one (its group references or names would clash with the other rules')."""
    source = pattern.pattern
    if source == "":
        return "()"  # `default(...)`: matches anywhere, whatever the flags
    if not isinstance(source, str) or _GROUP_REFERENCE.search(source) or pattern.groupindex:
        return None
    leading = _GLOBAL_FLAGS.match(source)
    letters = leading.group(1) if leading else ""
    body = source[leading.end() :] if leading else source
    own = re.RegexFlag(0)
    for letter in letters:
        own |= re.RegexFlag[letter.upper()]
    if pattern.flags & ~re.UNICODE != (lexer_flags | own) & ~re.UNICODE:
        return None  # flags set some way we cannot see
    # A verbose pattern can end in a comment, which would swallow the closing parenthesis.
    end = "\n)" if (lexer_flags | own) & re.X else ")"
    extra = "".join(letter for letter in letters if not lexer_flags & re.RegexFlag[letter.upper()])
    return f"((?{extra}:{body}{end})" if extra else f"({body}{end}"


def _joined(rules: list[tuple[Rule, str]], lexer_flags: int) -> list[_Run]:
    by_group: list[Rule] = [rules[0][0]]  # group 0 is never a rule's; any filler will do
    for rule, _ in rules:
        by_group += [rule] * (1 + rule[0].__self__.groups)  # type: ignore[attr-defined]
    try:
        combined = re.compile("|".join(alternative for _, alternative in rules), lexer_flags)
    except re.error:  # a construct that only works alone (flags in mid-pattern): rule by rule
        return [_Run(rule[0], (rule,), single=True) for rule, _ in rules]
    return [_Run(combined.match, tuple(by_group), single=False)]


def _runs(rules: list[Rule], lexer_flags: int) -> tuple[_Run, ...]:
    """The state's rules in order, consecutive joinable ones as one run: trying the runs in order
    finds the same first matching rule as trying the rules."""
    runs: list[_Run] = []
    pending: list[tuple[Rule, str]] = []
    for rule in rules:
        pattern = getattr(rule[0], "__self__", None)
        alternative = _alternative(pattern, lexer_flags) if isinstance(pattern, re.Pattern) else None
        if alternative is not None:
            pending.append((rule, alternative))
            continue
        if pending:
            runs += _joined(pending, lexer_flags)
            pending = []
        runs.append(_Run(rule[0], (rule,), single=True))
    if pending:
        runs += _joined(pending, lexer_flags)
    return tuple(runs)


# A position whose character at most this many rules can start with tries those rules alone; any
# other tries the joined runs. A single rule's match fails fast in C, the joined pattern walks every
# alternative (about 3 µs a token in Python's lexer).
_FEW = 6


def _rule_starts(rule: Rule) -> Starts | None:
    """A test for the characters the rule's match can start with; None when it can start anywhere."""
    pattern = getattr(rule[0], "__self__", None)
    return match_starts(pattern) if isinstance(pattern, re.Pattern) else None


class _State(dict[str, tuple[_Run, ...]]):
    """A lexer state: its runs, and by character the runs worth trying where a token starts with it."""

    def __init__(self, rules: list[Rule], flags: int) -> None:
        super().__init__()
        self.rules = rules
        self.flags = flags
        self.starts = [_rule_starts(rule) for rule in rules]

    @cached_property
    def all(self) -> tuple[_Run, ...]:
        """The state's runs, joined when first needed: where every character that comes up can start
        only a few rules, the joined pattern is never compiled."""
        return _runs(self.rules, self.flags)

    def __missing__(self, character: str) -> tuple[_Run, ...]:
        candidates = [
            rule
            for rule, starts in zip(self.rules, self.starts, strict=True)
            if starts is None or starts(character)
        ]
        runs = self.all
        if len(candidates) <= _FEW:
            runs = tuple(_Run(rule[0], (rule,), single=True) for rule in candidates)
        self[character] = runs
        return runs


class _States(dict[str, _State]):
    """A lexer's states, each made on first use: a state's joined pattern costs milliseconds to
    compile, and most code visits few of a big lexer's states."""

    def __init__(self, tokendefs: dict[str, list[Rule]], flags: int) -> None:
        super().__init__()
        self.tokendefs = tokendefs
        self.flags = flags

    def __missing__(self, name: str) -> _State:
        state = self[name] = _State(self.tokendefs[name], self.flags)
        return state


def _states(lexer: RegexLexer) -> _States:
    """The lexer's states, kept on the lexer (flagstone makes one per language and process). Most
    lexers share their rules through the class, some (C#) pick a set per instance."""
    states = getattr(lexer, "_flagstone_runs", None)
    if not isinstance(states, _States):
        states = _States(lexer._tokens, type(lexer).flags)  # type: ignore[attr-defined]
        lexer._flagstone_runs = states  # type: ignore[attr-defined]
    return states


def _first_rule(runs: tuple[_Run, ...], text: str, pos: int, end: int) -> tuple[Rule, re.Match[str]] | None:
    """The first rule of the state that matches at `pos`, with its own match object when it has a
    callback (which reads the rule's own groups)."""
    for run in runs:
        found = run.match(text, pos, end)
        if found is None:
            continue
        if run.single:
            return run.rules[0], found
        rule = run.rules[found.lastindex or 0]
        if rule[1] is None or type(rule[1]) is _TokenType:
            return rule, found
        own = rule[0](text, pos, end)
        assert own is not None
        return rule, own
    return None


def _moved(stack: list[str], new_state: Any) -> None:
    """Apply a rule's state transition to the stack, as RegexLexer does."""
    if new_state == -1:  # the most common two first: pop one, push one
        if len(stack) > 1:
            stack.pop()
    elif isinstance(new_state, tuple):
        for state in new_state:
            if state == "#pop":
                if len(stack) > 1:
                    stack.pop()
            elif state == "#push":
                stack.append(stack[-1])
            else:
                stack.append(state)
    elif isinstance(new_state, int):
        if abs(new_state) >= len(stack):
            del stack[1:]
        else:
            del stack[new_state:]
    elif new_state == "#push":
        stack.append(stack[-1])


def _regex_tokens(lexer: RegexLexer, text: str) -> Iterator[Token]:
    """RegexLexer.get_tokens_unprocessed(text), step for step."""
    states = _states(lexer)
    stack = ["root"]
    state = states["root"]
    pos, end = 0, len(text)
    while True:
        # _first_rule, inlined: this loop runs once per token.
        for run in state[text[pos]] if pos < end else state.all:
            match = run.match(text, pos, end)
            if match is not None:
                break
        else:
            match = None
        if match is not None:
            rule = run.rules[0] if run.single else run.rules[match.lastindex or 0]
            action, new_state = rule[1], rule[2]
            if action is not None:
                if type(action) is _TokenType:
                    yield pos, action, match.group()
                else:
                    if not run.single:
                        match = rule[0](text, pos, end)  # a callback reads the rule's own groups
                        assert match is not None
                    yield from action(lexer, match)
            pos = match.end()
            if new_state is not None:
                _moved(stack, new_state)
                state = states[stack[-1]]
            continue
        if pos >= end:
            return
        if text[pos] == "\n":
            stack = ["root"]
            state = states["root"]
            yield pos, Whitespace, "\n"
        else:
            yield pos, Error, text[pos]
        pos += 1


def _extended_tokens(lexer: ExtendedRegexLexer, text: str) -> Iterator[Token]:
    """ExtendedRegexLexer.get_tokens_unprocessed(text), step for step: callbacks move `ctx` themselves."""
    from pygments.lexer import LexerContext

    states = _states(lexer)
    ctx = LexerContext(text, 0)
    state = states["root"]
    while True:
        runs = state[text[ctx.pos]] if ctx.pos < ctx.end else state.all
        found = _first_rule(runs, text, ctx.pos, ctx.end)
        if found is not None:
            (_, action, new_state), match = found
            if action is not None:
                if type(action) is _TokenType:
                    yield ctx.pos, action, match.group()
                    ctx.pos = match.end()
                else:
                    yield from action(lexer, match, ctx)
                    if not new_state:
                        state = states[ctx.stack[-1]]
            if new_state is not None:
                _moved(ctx.stack, new_state)
                state = states[ctx.stack[-1]]
            continue
        if ctx.pos >= ctx.end:
            return
        if text[ctx.pos] == "\n":
            ctx.stack = ["root"]
            state = states["root"]
            yield ctx.pos, Text, "\n"
        else:
            yield ctx.pos, Error, text[ctx.pos]
        ctx.pos += 1


# How much code a lexer lexes in this process, by Pygments' own loop, before its combined patterns
# are built. Building them costs 3-30 ms a lexer (Python's and JavaScript's most: the patterns compiled,
# the rules' first characters read), and they save 0.3-1.8 µs a character: measured on the generated
# reference's code, per language, the two ways break even between 5 KB (Ruby) and 30 KB (JavaScript)
# of code. Slate's example has 1.7 KB of code in five languages, where the patterns cost 55 ms and
# Pygments' loop takes 2 ms; a large reference lexes megabytes, the first few dozen KB of no account.
FAST_AFTER_CHARS = 16 * 1024


def pays_off(lexer: Any, length: int) -> bool:
    """Whether to lex `length` more characters with the lexer's combined patterns: once it has lexed
    FAST_AFTER_CHARS by Pygments' loop. The count is kept on the lexer, as its patterns are."""
    lexed: int = getattr(lexer, "_flagstone_lexed", 0)
    if lexed >= FAST_AFTER_CHARS:
        return True
    lexer._flagstone_lexed = lexed + length
    return False


def unprocessed_tokens(lexer: Any, text: str) -> Iterator[Token] | None:
    """The lexer's `get_tokens_unprocessed(text)` by combined patterns, or None for a lexer that
    tokenizes its own way (a hand-written one, or one that overrides the regex loop)."""
    from pygments.lexer import ExtendedRegexLexer, RegexLexer  # loaded with the lexer already

    method = type(lexer).get_tokens_unprocessed
    if method is RegexLexer.get_tokens_unprocessed:
        return _regex_tokens(lexer, text)
    if method is ExtendedRegexLexer.get_tokens_unprocessed:
        return _extended_tokens(lexer, text)
    return None
