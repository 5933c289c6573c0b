"""Correct: pure-Python loops with math.exp / math.log; softmax as exp(z − logsumexp(z)); arrays returned as (nested) lists."""
import math


def _rows(a):
    a = a.tolist() if hasattr(a, "tolist") else list(a)
    if a and isinstance(a[0], (list, tuple)):
        return [list(map(float, row)) for row in a], True
    return [list(map(float, a))], False


def _logsumexp(row):
    m = max(row)
    return m + math.log(sum(math.exp(v - m) for v in row))


def smooth_labels(y, num_classes, eps):
    out = []
    for label in list(y):
        out.append([1.0 - eps if k == int(label) else eps / (num_classes - 1)
                    for k in range(num_classes)])
    return out


def smooth_labels_uniform(y, num_classes, eps):
    out = []
    for label in list(y):
        row = []
        for k in range(num_classes):
            hot = 1.0 if k == int(label) else 0.0
            row.append((1.0 - eps) * hot + eps / num_classes)
        out.append(row)
    return out


def softmax(z):
    rows, two_d = _rows(z)
    result = []
    for row in rows:
        lse = _logsumexp(row)
        result.append([math.exp(v - lse) for v in row])
    return result if two_d else result[0]


def cross_entropy(logits, targets):
    rows, _ = _rows(logits)
    trows, _ = _rows(targets)
    total = 0.0
    for row, trow in zip(rows, trows):
        lse = _logsumexp(row)
        for v, t in zip(row, trow):
            if t != 0.0:
                total -= t * (v - lse)
    return total / len(rows)


def cross_entropy_grad(logits, targets):
    rows, two_d = _rows(logits)
    trows, _ = _rows(targets)
    n = len(rows)
    grad = []
    for row, trow in zip(rows, trows):
        lse = _logsumexp(row)
        grad.append([(math.exp(v - lse) - t) / n for v, t in zip(row, trow)])
    return grad if two_d else grad[0]


def min_cross_entropy(num_classes, eps):
    row = [1.0 - eps] + [eps / (num_classes - 1)] * (num_classes - 1)
    return -sum(p * math.log(p) for p in row if p > 0.0)
