"""What only instructors run: batch grading, its report, the Gradescope and nbgrader exports.

No command a student runs (check, watch, hint, plot, quiz, list, scores, init, reset)
imports this package; tests/test_instructor_split.py proves it.
"""
