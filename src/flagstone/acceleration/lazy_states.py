"""Pygments' regex lexers with each state's rules compiled when the lexer first enters it.

A RegexLexer class compiles every rule of every state on its first use: 350 patterns for the five
languages of Slate's example, about 40 ms, of which a page's code visits a few states. Here the class
gets, before that first use, the mapping Pygments would have filled, filling itself state by state
through Pygments' own `_process_state`: the same rules compiled the same way, so the same tokens.
"""

from __future__ import annotations

from typing import Any


class _States(dict[str, list[Any]]):
    """A lexer class's processed states (what Pygments keeps as `_tokens`), each made on first lookup."""

    def __init__(self, lexer_class: Any, definitions: dict[str, list[Any]]) -> None:
        super().__init__()
        self.lexer_class = lexer_class
        self.definitions = definitions

    def __missing__(self, state: str) -> list[Any]:
        if state not in self.definitions:
            raise KeyError(state)
        # Pygments' own step: it stores the state (and those it includes or combines) in `self`.
        rules: list[Any] = self.lexer_class._process_state(self.definitions, self, state)
        return rules


def defer_states(lexer_class: type) -> None:
    """Have a regex lexer class compile its states on first use instead of all on its first instance.

    Does nothing to a class already in use, to one that picks its rules per instance (C#'s
    `token_variants`), or to one that is not a regex lexer.
    """
    from pygments.lexer import RegexLexerMeta  # loaded with the lexer class already

    if not isinstance(lexer_class, RegexLexerMeta) or "_tokens" in lexer_class.__dict__:
        return
    if getattr(lexer_class, "token_variants", False):
        return
    # What RegexLexerMeta.__call__ sets up before it processes the definitions, then the mapping it
    # would have made, to be filled as the states are looked up.
    lexer_class._all_tokens = {}  # type: ignore[attr-defined]
    lexer_class._tmpname = 0  # type: ignore[attr-defined]
    states = _States(lexer_class, lexer_class.get_tokendefs())  # type: ignore[no-untyped-call]
    lexer_class._all_tokens[""] = states  # type: ignore[attr-defined]
    lexer_class._tokens = states  # type: ignore[attr-defined]
