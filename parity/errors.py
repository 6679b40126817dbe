"""The engine's one error base class, and the exit status it carries.

Every error the engine raises for a bad input or an unusable environment (a spec, a run
directory, a label file, a work directory, R missing, a side that could not start) derives from
:class:`ParityError`; the command line (:mod:`parity.presentation.cli`) turns it into its
message and :attr:`ParityError.exit_code`, in one place. Nothing else in the engine exits.

Exit statuses, for every command: 0 success, 1 a check or a comparison failed (a result, not
an error: no exception), 2 a usage, input or environment error (nothing was compared).
"""

from __future__ import annotations

__all__ = ["ParityError", "UsageError", "EXIT_OK", "EXIT_FAILED", "EXIT_ERROR"]

#: every required check passed / a comparison met its requirement
EXIT_OK = 0
#: a required check failed or did not run; a comparison did not meet its requirement
EXIT_FAILED = 1
#: a usage, input or environment error: nothing was compared
EXIT_ERROR = 2


class ParityError(Exception):
    """An input or environment the engine cannot use; the message names the value and what was
    expected. :attr:`exit_code` is the command's exit status."""

    exit_code: int = EXIT_ERROR


class UsageError(ParityError):
    """A command-line option or combination of options that cannot be used (raised only by
    :mod:`parity.presentation`)."""
