"""The portal's log writes one event per line, whatever a value in it holds.

A name, an e-mail address or an exception message with a line break in it would otherwise
start a line of its own that looks like another event (log injection). OneEventPerLine sits on
the portal's logger (app.logger, for every handler behind it: Flask's, gunicorn's, pytest's)
and escapes line breaks and control characters in the finished message (portal.text.one_line);
a traceback is folded into the same line, escaped too.
"""

from __future__ import annotations

import logging

from flask import Flask

from portal.text import one_line

_TRACEBACKS = logging.Formatter()


class OneEventPerLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info:
            message += " | " + _TRACEBACKS.formatException(record.exc_info)
        if record.stack_info:
            message += " | " + record.stack_info
        record.msg, record.args = one_line(message), ()
        record.exc_info = record.exc_text = record.stack_info = None
        return True


def register_logging(app: Flask) -> None:
    if not any(isinstance(f, OneEventPerLine) for f in app.logger.filters):
        app.logger.addFilter(OneEventPerLine())
