"""Reference values for the SSD losses and evaluation metrics, written the way the released PyTorch
code computes them, in float64. Run with /usr/bin/python3 (torch 1.13) from the repo root:

    /usr/bin/python3 tools/reference/ssd_reference.py

Writes libs/ssl/test/fixtures/losses-reference.json and libs/eval/test/fixtures/eval-reference.json.
Inputs are rounded to 4 decimals and then to float32, so the TypeScript side (float32) starts from
exactly the same numbers; outputs are rounded to 7 significant digits to keep the files small.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


def f32(array):
    """float64 tensor holding exactly float32-representable values."""
    return torch.tensor(np.asarray(np.round(array, 4), dtype=np.float32).astype(np.float64))


def flat(tensor, digits=7):
    return [float('%.*g' % (digits, v)) for v in tensor.detach().reshape(-1).tolist()]


def flat_input(tensor):
    # Inputs are float32-exact; 9 significant digits round-trip any float32.
    return [float('%.9g' % v) for v in tensor.detach().reshape(-1).tolist()]


# ---- losses, in the style of the released code ---------------------------------------------
def align_loss(x, y, alpha=2):
    return (x - y).norm(p=2, dim=1).pow(alpha).mean()


def uniform_loss(x, t=2):
    return torch.pdist(x, p=2).pow(2).mul(-t).exp().mean().log()


def dsr_code(z, basis, diag):
    target = (z @ basis @ torch.diag(diag) @ basis.T).detach()
    target = F.normalize(target, dim=1)
    return (z - target).norm(p='fro') / z.shape[0]


def dsr_paper(z, diag):
    target = (z * diag).detach()
    return (z - target).pow(2).sum(dim=1).mean()


def pd_loss(h, zt, tau):
    return F.kl_div(F.log_softmax(h / tau, dim=1), F.softmax(zt / tau, dim=1), reduction='batchmean')


def objective(h1, h2, zt1, zt2, opts, basis):
    z1, z2 = F.normalize(zt1, dim=1), F.normalize(zt2, dim=1)
    terms = {'align': align_loss(z1, z2), 'uniformity': (uniform_loss(z1) + uniform_loss(z2)) / 2}
    total = terms['align'] + opts['uniformity'] * terms['uniformity']
    zero = (h1.sum() * 0)  # a zero that stays on the graph, like a disabled term
    terms['dsr'] = zero
    terms['pd'] = zero
    if opts['dsr'] is not None:
        o = opts['dsr']
        diag = torch.ones(z1.shape[1])
        diag[o['slice']] = o['scale']
        if o['form'] == 'code':
            terms['dsr'] = (dsr_code(z1, basis, diag) + dsr_code(z2, basis, diag)) / 2
        else:
            terms['dsr'] = (dsr_paper(z1, diag) + dsr_paper(z2, diag)) / 2
        total = total + o['coeff'] * terms['dsr']
    if opts['pd'] is not None:
        o = opts['pd']
        terms['pd'] = (pd_loss(h1, zt1, o['temperature']) + pd_loss(h2, zt2, o['temperature'])) / 2
        total = total + o['coeff'] * terms['pd']
    terms['total'] = total
    return terms


def householder_basis(vectors):
    d = vectors.shape[1]
    q = torch.eye(d)
    for v in vectors:
        q = q @ (torch.eye(d) - 2 * torch.outer(v, v) / v.dot(v))
    return q


def loss_case(rng, name, n, d, opts, per_term_grads, basis_kind='matrix'):
    h1, h2 = (f32(np.abs(rng.standard_normal((n, d)))) for _ in range(2))
    zt1, zt2 = (f32(2 * rng.standard_normal((n, d))) for _ in range(2))
    if basis_kind == 'matrix':
        basis = f32(np.linalg.qr(rng.standard_normal((d, d)))[0])
        basis_json = {'kind': 'matrix', 'values': flat_input(basis)}
    else:
        vectors = f32(rng.standard_normal((3, d)))
        basis = householder_basis(vectors)
        basis_json = {'kind': 'householder', 'vectors': [flat_input(v) for v in vectors]}
    if opts['dsr'] is not None:
        m = opts['dsr'].pop('slice_size')
        opts['dsr']['slice'] = sorted(rng.permutation(d)[:m].tolist())
    inputs = {'h1': h1, 'h2': h2, 'zt1': zt1, 'zt2': zt2}
    for t in inputs.values():
        t.requires_grad_(True)
    terms = objective(h1, h2, zt1, zt2, opts, basis)
    grads = {}
    for term in (['total', 'align', 'uniformity', 'dsr', 'pd'] if per_term_grads else ['total']):
        g = torch.autograd.grad(terms[term], list(inputs.values()), retain_graph=True, allow_unused=True)
        grads[term] = {k: flat(gi if gi is not None else torch.zeros(n, d)) for k, gi in zip(inputs, g)}
    return {
        'name': name, 'n': n, 'd': d, 'opts': opts, 'basis': basis_json,
        'inputs': {k: flat_input(v) for k, v in inputs.items()},
        'values': {k: float('%.10g' % v.item()) for k, v in terms.items()},
        'grads': grads,
    }


def loss_cases():
    rng = np.random.default_rng(20250801)
    full = lambda form='code', coeff=1.0, scale=10.0, m=4: {'coeff': coeff, 'scale': scale, 'form': form, 'slice_size': m}
    return [
        loss_case(rng, 'ssd-defaults n8 d16', 8, 16,
                  {'uniformity': 1.0, 'dsr': full(), 'pd': {'coeff': 0.1, 'temperature': 0.5}}, True),
        loss_case(rng, 'batch of 2, d8', 2, 8,
                  {'uniformity': 1.0, 'dsr': full(m=2), 'pd': {'coeff': 0.1, 'temperature': 0.5}}, True),
        loss_case(rng, 'paper-form DSR n8 d16', 8, 16,
                  {'uniformity': 1.0, 'dsr': full(form='paper'), 'pd': None}, True),
        loss_case(rng, 'non-default weights n12 d32', 12, 32,
                  {'uniformity': 0.5, 'dsr': full(coeff=2.0, scale=5.0, m=8), 'pd': {'coeff': 0.3, 'temperature': 0.2}}, False),
        loss_case(rng, 'FedAlignUniform baseline n10 d16', 10, 16,
                  {'uniformity': 1.0, 'dsr': None, 'pd': None}, False),
        loss_case(rng, 'paper scale width d128 n6', 6, 128,
                  {'uniformity': 1.0, 'dsr': full(m=12), 'pd': {'coeff': 0.1, 'temperature': 0.5}}, False, 'householder'),
    ]


# ---- evaluation metrics -----------------------------------------------------------------------
def uniformity_metric(x, t=2):
    return -uniform_loss(F.normalize(x, dim=1), t).item()


def effective_rank(x):
    s = torch.linalg.svdvals(x)
    p = s / s.sum()
    p = p[p > 0]
    return math.exp(-(p * p.log()).sum().item())


def knn_predict(bank, bank_labels, queries, k, temperature, classes):
    bank, queries = F.normalize(bank, dim=1), F.normalize(queries, dim=1)
    sim = queries @ bank.T
    sim_weight, sim_indices = sim.topk(k=k, dim=-1)
    sim_labels = torch.gather(bank_labels.expand(queries.shape[0], -1), dim=-1, index=sim_indices)
    sim_weight = (sim_weight / temperature).exp()
    one_hot = torch.zeros(queries.shape[0] * k, classes).scatter(-1, sim_labels.view(-1, 1), 1.0)
    scores = torch.sum(one_hot.view(queries.shape[0], -1, classes) * sim_weight.unsqueeze(-1), dim=1)
    return scores.argmax(dim=-1)


def inter_client_uniformity(clients, t=2):
    zs = [F.normalize(c, dim=1) for c in clients]
    values = []
    for i, zi in enumerate(zs):
        for j, zj in enumerate(zs):
            if i != j:
                values.append(-torch.cdist(zi, zj).pow(2).mul(-t).exp().mean().log().item())
    return sum(values) / len(values)


def eval_cases():
    rng = np.random.default_rng(7)
    out = {'uniformity': [], 'effectiveRank': [], 'knn': [], 'interClient': []}
    for n, d, t, shift in [(20, 16, 2, 0.0), (9, 4, 1, 0.0), (15, 8, 2, 1.5)]:
        x = f32(rng.standard_normal((n, d)) + shift)
        out['uniformity'].append({'n': n, 'd': d, 't': t, 'features': flat_input(x), 'value': uniformity_metric(x, t)})
    low_rank = f32(rng.standard_normal((10, 2)) @ rng.standard_normal((2, 8)))
    for x in [f32(rng.standard_normal((12, 5))), f32(rng.standard_normal((6, 20))), low_rank,
              f32(rng.standard_normal((30, 3)) * np.array([5.0, 1.0, 0.1]))]:
        out['effectiveRank'].append({'shape': list(x.shape), 'matrix': flat_input(x), 'value': effective_rank(x)})
    for nb, nq, d, classes, k, temp in [(40, 10, 8, 4, 5, 0.1), (60, 12, 6, 3, 20, 0.5)]:
        centres = rng.standard_normal((classes, d)) * 1.5
        labels = rng.integers(0, classes, nb)
        bank = f32(centres[labels] + rng.standard_normal((nb, d)))
        queries = f32(centres[rng.integers(0, classes, nq)] + rng.standard_normal((nq, d)))
        pred = knn_predict(bank, torch.tensor(labels), queries, k, temp, classes)
        out['knn'].append({'d': d, 'k': k, 'temperature': temp, 'classes': classes,
                           'bank': flat_input(bank), 'bankLabels': labels.tolist(),
                           'queries': flat_input(queries), 'predictions': pred.tolist()})
    for sizes, d, t in [([5, 7, 4], 8, 2), ([6, 6], 4, 1)]:
        clients = [f32(rng.standard_normal((s, d)) + (0.8 * i)) for i, s in enumerate(sizes)]
        out['interClient'].append({'d': d, 't': t, 'clients': [flat_input(c) for c in clients],
                                   'value': inter_client_uniformity(clients, t)})
    return out


def write(path, payload):
    full_path = os.path.join(ROOT, path)
    with open(full_path, 'w') as f:
        json.dump(payload, f, separators=(',', ':'))
        f.write('\n')
    print(f'{path}: {os.path.getsize(full_path) / 1024:.1f} KB')


if __name__ == '__main__':
    write('libs/ssl/test/fixtures/losses-reference.json',
          {'generator': 'tools/reference/ssd_reference.py', 'torch': torch.__version__, 'cases': loss_cases()})
    write('libs/eval/test/fixtures/eval-reference.json',
          {'generator': 'tools/reference/ssd_reference.py', 'torch': torch.__version__, **eval_cases()})
