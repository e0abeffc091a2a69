"""Your turn: exercises that check a derivation you wrote and say which step is wrong.

Each :class:`Exercise` asks for one quantity of the lecture (a gradient, a pre-activation, one
update) on concrete numbers, and :meth:`Exercise.check` reads your answer: a number, an array or
nested list in the slide's shape, or a formula in the slide's notation (the grammar is in
:mod:`~micrograd_nptel.exercises.formula`)::

    from micrograd_nptel import exercises

    ex = exercises.get("4.6-hidden")        # ∇_{h_2}L = W_3^T ∇_{a_3}L, CS7015 Lecture 4, Module 4.6
    ex                                      # the question, the numbers it gives, the shape of the answer
    ex.check("W_3 @ grad_a_3")              # red: W_3 where W_3^T is needed (the shapes 2 x 3 and 2 x 1 do not fit)
    ex.check("W_3^T @ grad_a_3")            # green
    ex.new(seed=7)                          # the same question on other numbers
    ex.picture()                            # its network, values only; ex.solution() when stuck

The correct value always comes from the engine (``backward()`` on the exercise's network), never
from a stored answer. A formula may use only the names the question gives (the quantity asked for is
refused), and is checked on the exercise's numbers **and on at least 18 more networks of the same shape**
(:meth:`Exercise.deciding_worlds`: every class l, every relu unit on and off, every slip apart from the answer), so a
formula that matches one student's numbers by accident is not accepted. A number must agree with the engine's in
every entry to :data:`~micrograd_nptel.exercises.check.EXACT`
significant digits of its own (:data:`~micrograd_nptel.exercises.check.ROUNDING` are accepted as ``rounding``, with a note); a row is
not a column and a transpose is not the matrix. A wrong answer is compared with the answers the
lecture's usual slips give (:data:`~micrograd_nptel.exercises.feedback.MISTAKES`) and the first that matches is named, in the slide's
notation and with the numbers. "The figure's network" is, at seed 0, exactly
:func:`~micrograd_nptel.examples.figure_network` (notebooks 03-05, ``explain``, ``draw``, ``verify``).

Where each part is (one concern per file):

* :mod:`.check`: :class:`Exercise` and how an answer is judged and a slip named;
  :mod:`.feedback`: :class:`Feedback`, :data:`~micrograd_nptel.exercises.feedback.MISTAKES`, :class:`Solution`;
* :mod:`.formula`: the answer grammar (a formula read safely and evaluated on numbers);
* :mod:`.worlds`: where the numbers come from (the built-in :data:`~micrograd_nptel.exercises.worlds.WORLDS`, a teacher's
  :class:`NetworkWorld` or :class:`ExpressionWorld`); :mod:`.steps`: named steps ordered and differentiated;
* :mod:`.authoring`: :func:`from_network` and :func:`from_expression`, a teacher's own exercises;
* :mod:`.loader`: the TOML format (:func:`load`) and the built-in catalogue, ``catalogue/*.toml``, one file
  per lecture module (:func:`catalogue`, :func:`get`);
* :mod:`.grading`: a class's answers graded (``micrograd-nptel grade``); :mod:`.rates`: the checker measured
  (:func:`diagnosis_rates`).
"""

from . import grading
from .authoring import from_expression, from_network
from .check import EXACT, FORMULA_RTOL, ROUNDING, Exercise
from .feedback import MISTAKES, Feedback, Mistake, Solution, typed
from .formula import AnswerError
from .loader import catalogue, catalogue_files, get, load
from .rates import Rate, diagnosis_rates, rate_summary, rates_table, teacher_examples
from .worlds import WORLDS, ExpressionWorld, NetworkWorld

__all__ = [
    "EXACT",
    "FORMULA_RTOL",
    "MISTAKES",
    "ROUNDING",
    "WORLDS",
    "AnswerError",
    "Exercise",
    "ExpressionWorld",
    "Feedback",
    "Mistake",
    "NetworkWorld",
    "Rate",
    "Solution",
    "catalogue",
    "catalogue_files",
    "diagnosis_rates",
    "from_expression",
    "from_network",
    "get",
    "grading",
    "load",
    "rate_summary",
    "rates_table",
    "teacher_examples",
    "typed",
]
