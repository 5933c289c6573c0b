"""Figures of what each problem's regularizer does, drawn from the student's code (`regquiz plot`).

* ``formulas``  the checks' closed forms, named like the exercises (the reference in a wheel);
* ``series``    the figures as plain data, and the checked door for the values calls return;
* ``problems``  the series of each problem's figure;
* ``draw``      matplotlib (the ``plots`` extra), imported only to draw;
* ``command``   `regquiz plot` and the reference-only figures of the README and nbgrader.
"""

from .command import Plotted, plot_problem, reference_figure, reference_png, student_figure

__all__ = ["Plotted", "plot_problem", "reference_figure", "reference_png", "student_figure"]
