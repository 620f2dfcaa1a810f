"""PyTorch reference of one `fedssd simulate` run: federated SSD (or the baseline) on Fashion-MNIST.

    /usr/bin/python3 bench/reference/federated_ssd.py --method ssd --seed 1 --images 3000 --rounds 8 --out ref.json

Same scheme as ours, written independently from SSD-SPEC.md / docs/METHOD.md: first --images
training images split over K clients by Dirichlet(alpha) label skew (every client >= one batch);
each round every client starts from the global state, trains --local-epochs epochs (fresh SGD
lr 0.1, momentum 0.9, weight decay 1e-4 on every parameter, batches of --batch-size in a seeded
shuffle, a batch of one skipped), two augmented views per image, loss
align + beta U + gamma DSR + delta PD; the server averages the FULL state (BN running statistics
included) weighted by local samples. Evaluation as ours: kNN bank = the training images, queries =
the first --test-limit test images, uniformity on the first 2,000 test features, effective rank of
all test features, inter-client uniformity and slice energy on each client's first 200 images.
Random draws come from torch/numpy generators, so the split and the augmentations differ from
ours draw by draw: compare against seed-to-seed spread, not bit for bit.
Writes a JSON report shaped like ours ({rounds: [{round, loss, knnAccuracy, ...}], final}).
"""
import argparse
import json
import time

import numpy as np
import torch
import torch.nn.functional as F

import ref_metrics as m
from ref_data import augment, dirichlet_split, load_idx
from ref_model import SmallSsl

METHODS = {'baseline': (False, False), 'dsr': (True, False), 'pd': (False, True), 'ssd': (True, True)}


def uniformity_loss(z, t=2.0):
    """U(Z) = log mean_{i<j} exp(-t ||z_i - z_j||^2)."""
    return torch.pdist(z).pow(2).mul(-t).exp().mean().log()


def dsr_loss(z, q, diag, form):
    if form == 'paper':
        # Q = I, no renormalisation: mean_i ||z_i - stopgrad(z_i * d_k)||^2
        return (z - (z * diag).detach()).pow(2).sum(1).mean()
    p = F.normalize(((z @ q) * diag @ q.t()).detach(), dim=1)
    return torch.norm(z - p) / z.shape[0]


def pd_loss(h, zt, tau):
    p_log = F.log_softmax(zt / tau, dim=1)
    q_log = F.log_softmax(h / tau, dim=1)
    return (p_log.exp() * (p_log - q_log)).sum(1).mean()


def objective(model, x1, x2, cfg, diag):
    h1, zt1 = model(x1)
    h2, zt2 = model(x2)
    z1, z2 = F.normalize(zt1, dim=1), F.normalize(zt2, dim=1)
    terms = {
        'align': (z1 - z2).pow(2).sum(1).mean(),
        'uniformity': (uniformity_loss(z1) + uniformity_loss(z2)) / 2,
        'dsr': torch.zeros(()),
        'pd': torch.zeros(()),
    }
    total = terms['align'] + cfg.beta * terms['uniformity']
    use_dsr, use_pd = METHODS[cfg.method]
    if use_dsr:
        terms['dsr'] = (dsr_loss(z1, cfg.q, diag, cfg.dsr_form) + dsr_loss(z2, cfg.q, diag, cfg.dsr_form)) / 2
        total = total + cfg.gamma * terms['dsr']
    if use_pd:
        terms['pd'] = (pd_loss(h1, zt1, cfg.tau) + pd_loss(h2, zt2, cfg.tau)) / 2
        total = total + cfg.delta * terms['pd']
    terms['total'] = total
    return total, terms


def train_client(model, images, cfg, diag, gen):
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=0.9, weight_decay=cfg.weight_decay)
    model.train()
    sums = {k: 0.0 for k in ('total', 'align', 'uniformity', 'dsr', 'pd')}
    steps = 0
    for _ in range(cfg.local_epochs):
        order = torch.randperm(images.shape[0], generator=gen)
        for start in range(0, images.shape[0], cfg.batch_size):
            idx = order[start : start + cfg.batch_size]
            if idx.numel() < 2:
                continue
            batch = images[idx]
            loss, terms = objective(model, augment(batch, gen), augment(batch, gen), cfg, diag)
            opt.zero_grad()
            loss.backward()
            opt.step()
            for k in sums:
                sums[k] += float(terms[k])
            steps += 1
    return {k: v / max(1, steps) for k, v in sums.items()}


def fedavg(states, weights):
    total = float(sum(weights))
    out = {}
    for name in states[0]:
        if name.endswith('num_batches_tracked'):
            out[name] = states[0][name]
            continue
        out[name] = sum(s[name].double() * (w / total) for s, w in zip(states, weights)).float()
    return out


@torch.no_grad()
def features(model, images, batch=512):
    model.eval()
    hs, zs = [], []
    for start in range(0, images.shape[0], batch):
        h, zt = model(images[start : start + batch])
        hs.append(h)
        zs.append(zt)
    return torch.cat(hs), torch.cat(zs)


def evaluate(model, train_x, train_y, test_x, test_y, client_x, cfg, slices):
    bank, _ = features(model, train_x)
    test_h, _ = features(model, test_x)
    per_client = [features(model, x) for x in client_x]
    k = min(200 if bank.shape[0] >= 10_000 else 50, bank.shape[0])
    out = {
        'knnAccuracy': m.knn_accuracy(bank, train_y, test_h, test_y, k),
        'uniformity': m.uniformity(test_h[:2000]),
        'effectiveRank': m.effective_rank(test_h),
        'interClientUniformity': m.inter_client_uniformity([h for h, _ in per_client]),
    }
    if slices is not None:
        basis = torch.eye(cfg.dim) if cfg.dsr_form == 'paper' else cfg.q
        own_other = [m.slice_energy(z, basis, slices, c) for c, (_, z) in enumerate(per_client)]
        own = sum(o for o, _ in own_other) / len(own_other)
        other = sum(o for _, o in own_other) / len(own_other)
        out['subspaceEnergy'] = {'meanOwn': own, 'meanOthersPerSlice': other, 'ratio': own / other}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--method', choices=sorted(METHODS), default='ssd')
    ap.add_argument('--model', choices=['small', 'small-signed'], default='small')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--images', type=int, default=3000)
    ap.add_argument('--test-limit', type=int, default=2000)
    ap.add_argument('--rounds', type=int, default=8)
    ap.add_argument('--local-epochs', type=int, default=1)
    ap.add_argument('--clients', type=int, default=10)
    ap.add_argument('--alpha', type=float, default=0.1)
    ap.add_argument('--batch-size', type=int, default=64)
    ap.add_argument('--lr', type=float, default=0.1)
    ap.add_argument('--weight-decay', type=float, default=1e-4)
    ap.add_argument('--beta', type=float, default=1.0)
    ap.add_argument('--gamma', type=float, default=1.0)
    ap.add_argument('--delta', type=float, default=0.1)
    ap.add_argument('--tau', type=float, default=0.5)
    ap.add_argument('--dsr-scale', type=float, default=10.0)
    ap.add_argument('--dsr-form', choices=['code', 'paper'], default='code')
    ap.add_argument('--eval-every', type=int, default=1)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--data-dir', default='/usr/share/datasets/fashion-mnist')
    ap.add_argument('--out', required=True)
    cfg = ap.parse_args()
    for name, lo in (('images', 2), ('rounds', 1), ('clients', 1), ('batch_size', 2), ('local_epochs', 1), ('test_limit', 2)):
        if getattr(cfg, name) < lo:
            ap.error(f'--{name.replace("_", "-")}: must be >= {lo} (got {getattr(cfg, name)})')
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    train_x, train_y = load_idx(cfg.data_dir, 'train', cfg.images)
    test_x, test_y = load_idx(cfg.data_dir, 'test', cfg.test_limit)
    parts = dirichlet_split(train_y.numpy(), cfg.clients, cfg.alpha, cfg.seed, min_per_client=cfg.batch_size)
    client_x = [train_x[torch.tensor(p)] for p in parts]
    model = SmallSsl(final_relu=cfg.model == 'small')
    cfg.dim = model.d
    # DSR targets: Q of a QR of a seeded Gaussian, a seeded permutation cut into K slices of m = floor(d / K).
    tgen = torch.Generator().manual_seed(cfg.seed + 7919)
    cfg.q, _ = torch.linalg.qr(torch.randn(cfg.dim, cfg.dim, generator=tgen))
    perm = torch.randperm(cfg.dim, generator=tgen)
    size = cfg.dim // cfg.clients
    slices = [perm[k * size : (k + 1) * size] for k in range(cfg.clients)] if size >= 1 else None
    diags = []
    for k in range(cfg.clients):
        d = torch.ones(cfg.dim)
        if slices is not None:
            d[slices[k]] = cfg.dsr_scale
        diags.append(d)
    global_state = {k: v.clone() for k, v in model.state_dict().items()}
    rounds = []
    started = time.perf_counter()
    for r in range(1, cfg.rounds + 1):
        t0 = time.perf_counter()
        states, weights, losses = [], [], []
        for c, x in enumerate(client_x):
            model.load_state_dict(global_state)
            losses.append(train_client(model, x, cfg, diags[c], gen))
            states.append({k: v.clone() for k, v in model.state_dict().items()})
            weights.append(x.shape[0])
        global_state = fedavg(states, weights)
        model.load_state_dict(global_state)
        total = float(sum(weights))
        loss = {k: sum(l[k] * w for l, w in zip(losses, weights)) / total for k in losses[0]}
        row = {'round': r, 'loss': loss, 'samples': int(total), 'trainSeconds': time.perf_counter() - t0}
        if r % cfg.eval_every == 0 or r == cfg.rounds:
            row.update(evaluate(model, train_x, train_y, test_x, test_y, [x[:200] for x in client_x], cfg, slices))
        rounds.append(row)
        print(
            f'round {r}/{cfg.rounds} loss {loss["total"]:.4f} '
            + (f'knn {row["knnAccuracy"] * 100:.1f}% unif {row["uniformity"]:.3f} erank {row["effectiveRank"]:.1f}' if 'knnAccuracy' in row else '')
            + f' {time.perf_counter() - t0:.1f}s',
            flush=True,
        )
    last = rounds[-1]
    final = {k: last.get(k) for k in ('knnAccuracy', 'uniformity', 'effectiveRank', 'interClientUniformity', 'subspaceEnergy')}
    cfg_out = {k: v for k, v in vars(cfg).items() if k not in ('q',)}
    report = {'framework': 'pytorch', 'config': cfg_out, 'rounds': rounds, 'final': final, 'durationMs': (time.perf_counter() - started) * 1000,
              'partition': [len(p) for p in parts]}
    with open(cfg.out, 'w') as f:
        json.dump(report, f, indent=1)


if __name__ == '__main__':
    main()
