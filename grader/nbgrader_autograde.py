"""Compatibility: nbgrader configs written before regquiz.instructor import from here.

    from regquiz.nbgrader_autograde import autograde_preprocessors

keeps working; new configs name regquiz.instructor.nbgrader_autograde.
"""

from __future__ import annotations

from .instructor.nbgrader_autograde import (GradingRefused, RegquizExecute, RestoreHiddenTests,
                                            autograde_preprocessors, regrade,
                                            sanitize_preprocessors)

__all__ = ["GradingRefused", "RegquizExecute", "RestoreHiddenTests", "autograde_preprocessors",
           "regrade", "sanitize_preprocessors"]
