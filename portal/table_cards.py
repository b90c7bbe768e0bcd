"""Tables that turn into cards on a phone (macros/ui.html data_table, static/css/portal.css).

Each body cell gets the header of its column as `data-label` (read from the table's own
<thead>, its last row), so CSS can show "Status: Betaald" in a card where the header row is
out of sight, without an inline style or any JavaScript. The cells of the key columns (status,
amounts: what a person opens the page for) get the class `cell--key`, which the cards put
first, right under the row's own header. Ground floor: text in, text out.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

KEY_COLUMN = re.compile(r"status|beschikbaar|bedrag|uit het budget", re.I)
_THEAD = re.compile(r"<thead\b[^>]*>(.*?)</thead>", re.S | re.I)
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S | re.I)
_HEADER_CELL = re.compile(r"<th\b([^>]*)>(.*?)</th>", re.S | re.I)
_CELL_OPEN = re.compile(r"<(td|th)\b([^>]*)>", re.I)
_HIDDEN_ONLY = re.compile(r'^\s*<span class="visually-hidden">[^<]*</span>\s*$')
_TAGS = re.compile(r"<[^>]+>")
_COLSPAN = re.compile(r'colspan="(\d+)"', re.I)
_CLASS = re.compile(r'class="([^"]*)"', re.I)


def _span(attrs: str) -> int:
    match = _COLSPAN.search(attrs)
    return int(match.group(1)) if match else 1


def column_labels(html: str) -> list[str]:
    """The labels of the columns, one per column (a colspan header repeats), from the last
    row of <thead>; a header only screen readers read (an action column) gives ""."""
    thead = _THEAD.search(html)
    if not thead:
        return []
    rows = _ROW.findall(thead.group(1))
    if not rows:
        return []
    labels: list[str] = []
    for attrs, content in _HEADER_CELL.findall(rows[-1]):
        text = "" if _HIDDEN_ONLY.match(content) else " ".join(_TAGS.sub(" ", content).split())
        labels += [text] * _span(attrs)
    return labels


def _label_row(row: str, labels: list[str]) -> str:
    column = 0
    out, last = [], 0
    for match in _CELL_OPEN.finditer(row):
        tag, attrs = match.group(1), match.group(2)
        label = labels[column] if column < len(labels) else ""
        column += _span(attrs)
        if 'scope="row"' in attrs or "data-label=" in attrs:
            continue
        extra = f' data-label="{escape(label)}"'
        if label and KEY_COLUMN.search(label):
            if _CLASS.search(attrs):
                attrs = _CLASS.sub(lambda m: f'class="{m.group(1)} cell--key"', attrs, count=1)
            else:
                attrs += ' class="cell--key"'
        out.append(row[last:match.start()] + f"<{tag}{attrs}{extra}>")
        last = match.end()
    out.append(row[last:])
    return "".join(out)


def label_cells(html: str) -> Markup:
    """`html` (a table's inside) with data-label on every body and footer cell."""
    html = str(html)  # plain text from here: the table's own markup, already escaped
    labels = column_labels(html)
    if not labels:
        return Markup(html)
    thead = _THEAD.search(html)
    head_end = thead.end() if thead else 0
    body = re.sub(r"<tr\b[^>]*>.*?</tr>", lambda m: _label_row(m.group(0), labels),
                  html[head_end:], flags=re.S | re.I)
    return Markup(html[:head_end] + body)
