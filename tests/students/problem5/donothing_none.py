"""Do-nothing student: every function returns None (must score 0)."""

import numpy as np


def smooth_labels(y, num_classes, eps):
    return None


def smooth_labels_uniform(y, num_classes, eps):
    return None


def softmax(z):
    return None


def cross_entropy(logits, targets):
    return None


def cross_entropy_grad(logits, targets):
    return None


def min_cross_entropy(num_classes, eps):
    return None
