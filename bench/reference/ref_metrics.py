"""Evaluation metrics exactly as libs/eval defines them (docs/METHOD.md section 7)."""
import math

import torch
import torch.nn.functional as F


def uniformity(x, t=2.0):
    """-U = -log mean_{i<j} exp(-t ||u_i - u_j||^2) over L2-normalised rows (higher: more uniform)."""
    u = F.normalize(x.double(), dim=1)
    d2 = torch.pdist(u).pow(2)
    return float(-(torch.logsumexp(-t * d2, 0) - math.log(d2.numel())))


def inter_client_uniformity(per_client, t=2.0):
    """Mean over ordered client pairs i != j of -log mean exp(-t ||u - u'||^2)."""
    us = [F.normalize(x.double(), dim=1) for x in per_client if x.shape[0] > 0]
    total, pairs = 0.0, 0
    for i, a in enumerate(us):
        for j, b in enumerate(us):
            if i == j:
                continue
            d2 = torch.cdist(a, b).pow(2).flatten()
            total += float(-(torch.logsumexp(-t * d2, 0) - math.log(d2.numel())))
            pairs += 1
    return total / pairs


def effective_rank(x):
    """Roy & Vetterli: exp(entropy of the normalised singular values) of the N x d matrix."""
    s = torch.linalg.svdvals(x.double())
    p = s / s.sum()
    p = p[p > 0]
    return float(torch.exp(-(p * p.log()).sum()))


def knn_accuracy(bank, bank_labels, queries, query_labels, k, temperature=0.1, classes=10):
    """Cosine top-k neighbours vote with weight exp(sim / temperature); ties go to the lower class."""
    b = F.normalize(bank, dim=1)
    correct = 0
    for start in range(0, queries.shape[0], 256):
        q = F.normalize(queries[start : start + 256], dim=1)
        sims, idx = (q @ b.t()).topk(k, dim=1)
        scores = torch.zeros(q.shape[0], classes, dtype=torch.float64)
        scores.scatter_add_(1, bank_labels[idx], (sims.double() / temperature).exp())
        correct += int((scores.argmax(1) == query_labels[start : start + 256]).sum())
    return correct / queries.shape[0]


def slice_energy(z, basis, slices, client):
    """Share of the embedding energy of client `client`'s unit rows in its own slice (Q coordinates)
    and the mean share per other client's slice."""
    c = (F.normalize(z, dim=1) @ basis).pow(2)
    total = c.sum()
    own = float(c[:, slices[client]].sum() / total)
    others = [float(c[:, s].sum() / total) for k, s in enumerate(slices) if k != client]
    return own, sum(others) / max(1, len(others))
