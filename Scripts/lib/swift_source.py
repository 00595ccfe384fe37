"""Swift source as the house's scripts read it (Scripts/function-lengths, Scripts/house-rules): the Swift
files under some paths, and which characters of a file are code rather than comment or string literal."""

import os
import re


STRING_OPEN = re.compile(r'(#*)("""|")')
REGEX_OPEN = re.compile(r"(#+)/")


class LexError(Exception):
    pass


def code_mask(text):
    """One flag per character: True where the character is code (not comment, not string)."""
    mask = [False] * len(text)
    i, n = 0, len(text)
    # Stack of contexts: ("code", paren depth for an interpolation or None), ("string", hashes, multiline).
    stack = [("code", None)]
    while i < n:
        kind = stack[-1][0]
        c = text[i]
        if kind == "code":
            if text.startswith("//", i):
                j = text.find("\n", i)
                i = n if j < 0 else j
                continue
            if text.startswith("/*", i):
                depth, i = 1, i + 2
                while i < n and depth:
                    if text.startswith("/*", i):
                        depth, i = depth + 1, i + 2
                    elif text.startswith("*/", i):
                        depth, i = depth - 1, i + 2
                    else:
                        i += 1
                if depth:
                    raise LexError("unterminated /* comment")
                continue
            m = REGEX_OPEN.match(text, i)
            if m:
                # An extended regex literal, #/.../# (any number of #): skipped whole, like a string.
                close = "/" + m.group(1)
                j = text.find(close, m.end())
                if j < 0:
                    raise LexError("unterminated regex literal")
                i = j + len(close)
                continue
            m = STRING_OPEN.match(text, i)
            if m:
                stack.append(("string", len(m.group(1)), m.group(2) == '"""'))
                i = m.end()
                continue
            interp = stack[-1][1]
            if interp is not None:
                if c == "(":
                    stack[-1] = ("code", interp + 1)
                elif c == ")":
                    if interp == 0:
                        stack.pop()
                        i += 1
                        continue
                    stack[-1] = ("code", interp - 1)
            mask[i] = True
            i += 1
        else:
            _, hashes, multiline = stack[-1]
            close = ('"""' if multiline else '"') + "#" * hashes
            escape = "\\" + "#" * hashes
            if text.startswith(escape + "(", i):
                stack.append(("code", 0))
                i += len(escape) + 1
            elif text.startswith(escape, i):
                i += len(escape) + 1
            elif text.startswith(close, i):
                stack.pop()
                i += len(close)
            elif c == "\n" and not multiline:
                raise LexError("unterminated string literal")
            else:
                i += 1
    if len(stack) != 1:
        raise LexError("unterminated string literal or interpolation")
    return mask


def swift_files(paths):
    for path in paths:
        if os.path.isfile(path):
            yield path
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for f in sorted(files):
                if f.endswith(".swift"):
                    yield os.path.join(root, f)
