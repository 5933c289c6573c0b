"""Do-nothing student: every function returns its first argument (must score 0)."""

import numpy as np


def smooth_labels(y, num_classes, eps):
    return y


def smooth_labels_uniform(y, num_classes, eps):
    return y


def softmax(z):
    return z


def cross_entropy(logits, targets):
    return logits


def cross_entropy_grad(logits, targets):
    return logits


def min_cross_entropy(num_classes, eps):
    return num_classes
