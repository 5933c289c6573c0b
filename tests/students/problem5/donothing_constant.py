"""Do-nothing student: every function returns the constant 0.5 (must score 0)."""

import numpy as np


def smooth_labels(y, num_classes, eps):
    return 0.5


def smooth_labels_uniform(y, num_classes, eps):
    return 0.5


def softmax(z):
    return 0.5


def cross_entropy(logits, targets):
    return 0.5


def cross_entropy_grad(logits, targets):
    return 0.5


def min_cross_entropy(num_classes, eps):
    return 0.5
