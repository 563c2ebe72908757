"""The one exception type for input a user can fix (a bad username, feed URL, corpus line).

Services raise subclasses of :class:`UserInputError`; the CLI prints any of them as one
``error: ...`` line with exit code 1 (``riskradar.cli.common.error_message``), so commands do not
each translate their service's errors. It is a ``ValueError``, so callers that catch
``ValueError`` (web forms, the API's 400 answers) keep working.
"""

from __future__ import annotations


class UserInputError(ValueError):
    """Input a user can correct; the message says what and where."""
