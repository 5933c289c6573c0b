"""The quiz linter: no quiz file can be passed by pattern, and none tells its own answer."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from regquiz.manifest import load_manifest
from regquiz.quiz import LETTERS, Quiz, load_quiz_file, quiz_files
from regquiz.reveal import normalise, shown_answers

QUIZZES = [load_quiz_file(path) for path in quiz_files()]
MAX_LENGTH_RATIO = 2.5  # the longest option of a question over its shortest


@pytest.fixture(params=QUIZZES, ids=lambda quiz: quiz.id)
def quiz(request: pytest.FixtureRequest) -> Quiz:
    return request.param


def test_the_key_of_every_file_is_balanced(quiz: Quiz) -> None:
    counts = Counter(question.answer for question in quiz.questions)
    most = max(1, math.ceil(len(quiz.questions) / 3))
    assert max(counts.values()) <= most, (quiz.id, dict(counts))


def test_the_keys_together_are_balanced() -> None:
    counts = Counter(q.answer for quiz in QUIZZES for q in quiz.questions)
    total = sum(counts.values())
    assert set(counts) == set(LETTERS)
    assert max(counts.values()) <= math.ceil(total / 4) + 1, dict(counts)


def test_options_are_of_comparable_length_and_the_answer_is_not_the_longest_by_habit() -> None:
    longest = 0
    for quiz in QUIZZES:
        for question in quiz.questions:
            lengths = {letter: len(text) for letter, text in question.options.items()}
            ratio = max(lengths.values()) / min(lengths.values())
            assert ratio <= MAX_LENGTH_RATIO, (quiz.id, question.id, lengths)
            longest += lengths[question.answer] == max(lengths.values())
    count = sum(len(quiz.questions) for quiz in QUIZZES)
    assert longest <= count / 2, f"the answer is the longest option in {longest} of {count}"


def test_every_distractor_names_one_misconception(quiz: Quiz) -> None:
    for question in quiz.questions:
        wrong = [letter for letter in LETTERS if letter != question.answer]
        assert sorted(question.misconceptions) == wrong, (quiz.id, question.id)
        named = [" ".join(text.split()).lower() for text in question.misconceptions.values()]
        assert len(set(named)) == 3 and all(len(text) >= 10 for text in named), question.id


def test_no_prompt_contains_its_own_answer_or_an_answer_text(quiz: Quiz) -> None:
    problems = load_manifest().problems
    for question in quiz.questions:
        prompt = normalise(question.prompt)
        right = question.options[question.answer]
        head = normalise(right.split(":")[0].split(",")[0])
        assert normalise(right) not in prompt and (len(head) < 3 or head not in prompt), \
            (quiz.id, question.id)
        assert not shown_answers(question.prompt, problems), (quiz.id, question.id)
        for text in question.options.values():
            assert not shown_answers(text, problems) or quiz.id in load_manifest().ids, \
                (quiz.id, question.id, text)
