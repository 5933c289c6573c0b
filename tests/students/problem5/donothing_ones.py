"""Do-nothing student: every function returns ones shaped like its first argument (must score 0)."""

import numpy as np


def smooth_labels(y, num_classes, eps):
    return np.ones_like(np.asarray(y, dtype=float))


def smooth_labels_uniform(y, num_classes, eps):
    return np.ones_like(np.asarray(y, dtype=float))


def softmax(z):
    return np.ones_like(np.asarray(z, dtype=float))


def cross_entropy(logits, targets):
    return np.ones_like(np.asarray(logits, dtype=float))


def cross_entropy_grad(logits, targets):
    return np.ones_like(np.asarray(logits, dtype=float))


def min_cross_entropy(num_classes, eps):
    return np.ones_like(np.asarray(num_classes, dtype=float))
