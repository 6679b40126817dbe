"""The pytest plugin's public name (pyproject.toml's ``pytest11`` entry point, and ``from
parity.pytest_plugin import assert_caret_equal``): :mod:`parity.presentation.pytest_plugin`.

pytest registers this module: its hooks and fixtures are the presentation module's own.
"""

from parity.presentation.pytest_plugin import (
    IN_CI,
    CaretOracle,
    ParityAuditError,
    ParityCheckFailed,
    ParityCheckItem,
    ParitySpecFile,
    RSession,
    assert_caret_equal,
    caret,
    caret_values,
    pytest_addoption,
    pytest_collect_file,
    pytest_configure,
    pytest_sessionstart,
    pytest_terminal_summary,
    r_session,
)

__all__ = ["assert_caret_equal", "caret_values", "RSession", "CaretOracle", "ParityCheckFailed",
           "ParityAuditError", "ParitySpecFile", "ParityCheckItem", "IN_CI", "r_session", "caret",
           "pytest_addoption", "pytest_configure", "pytest_sessionstart", "pytest_collect_file",
           "pytest_terminal_summary"]
