"""The exception hierarchy of regquiz: library code raises these, only cli.py prints them."""

from __future__ import annotations


class RegquizError(Exception):
    """Base of every error regquiz reports to a user; carries its exit code."""

    exit_code: int = 1


class UsageError(RegquizError):
    """The user asked for something that does not exist or cannot be done (exit 2)."""

    exit_code = 2


class UnknownProblem(UsageError):
    """A problem id that the manifest does not declare."""


class UnknownFunction(UsageError):
    """A function name that the problem does not declare."""


class SubmissionNotFound(UsageError):
    """The student's file is missing or unreadable."""


class BadSubmission(UsageError):
    """The student's file exists but cannot be turned into Python code (e.g. a broken notebook)."""


class EnvironmentBroken(RegquizError):
    """Something outside the user's input is broken: say how to fix it (exit 3)."""

    exit_code = 3


class ManifestError(EnvironmentBroken):
    """The manifest or a graded suite is inconsistent: a bug in the course, not in the student's code."""


class RecordsError(EnvironmentBroken):
    """The score database cannot be opened, read or written."""


class QuizFileError(EnvironmentBroken):
    """A quiz file is missing a field or malformed: a bug in the course data, named precisely."""
