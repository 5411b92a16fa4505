"""Run a README Python block as a script, top-level `await` allowed (as in `python -m asyncio`
or a notebook, where the README's async snippets are meant to be pasted)."""

import ast
import asyncio
import inspect
import sys

path = sys.argv[1]
with open(path) as f:
    code = compile(f.read(), path, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
scope = {"__name__": "__main__"}
if code.co_flags & inspect.CO_COROUTINE:
    asyncio.run(eval(code, scope))
else:
    exec(code, scope)
