"""Why is the encoder output so far from uniform? Layer-by-layer geometry of a small-CNN model.

    /usr/bin/python3 bench/reference/collapse_study.py --out FILE.json \
        --model trained=out/.../final.json --model init=random:1 [--preset small|small-signed] [--width 1]

For each model (a weights manifest in our layout, or `random:SEED` for a fresh init) and on the
first --test-limit test images, in inference mode, it measures every representation one could
evaluate: h (ReLU then average pool: the standard one), h centred, each conv block's map before
and after its ReLU (average-pooled), the projector output z. Three BN modes: the stored running
statistics (for a federated model, the FedAvg of label-skewed clients' estimates), statistics
re-estimated on --bn-images training images, and batch statistics (train-mode BN, batches of 64,
h and z only). Per
representation: -U (uniformity metric, t = 2), the mean pairwise cosine and its Jensen bound
4 (1 - mean cosine) >= -U, effective rank, the L1 density mean ||u||_1 / sqrt(d) of the unit rows,
the share of negative entries and of exact zeros.
"""
import argparse
import json

import torch
import torch.nn.functional as F

import ref_metrics as m
from ref_data import load_idx
from ref_model import SmallSsl, load_weights


def geometry(x):
    """Uniformity-related statistics of the rows of x (unnormalised features)."""
    u = F.normalize(x, dim=1)
    n = u.shape[0]
    mean_cos = float(((u.sum(0) ** 2).sum() - n) / (n * (n - 1)))
    return {
        'uniformity': m.uniformity(x),
        'meanCosine': mean_cos,
        'jensenBound': 4 * (1 - mean_cos),
        'effectiveRank': m.effective_rank(x),
        # Mean ||u||_1 / sqrt(d): for non-negative u, mean cosine >= about its square, so dense
        # non-negative features (density near 1) cannot be uniform however they are trained.
        'l1Density': float(u.abs().sum(1).mean() / x.shape[1] ** 0.5),
        'negativeShare': float((x < 0).float().mean()),
        'zeroShare': float((x == 0).float().mean()),
        'dim': x.shape[1],
    }


@torch.no_grad()
def representations(model, images, batch=256):
    """Every candidate representation of `images` in inference mode, by name."""
    model.eval()
    parts = {}
    for start in range(0, images.shape[0], batch):
        layers, h = model.encode_layers(images[start : start + batch])
        out = {'h': h, 'z': F.normalize(model.project(h), dim=1)}
        for name, pre, post in layers:
            out[f'{name}.preRelu.pool'] = pre.mean(dim=(2, 3))
            out[f'{name}.postRelu.pool'] = post.mean(dim=(2, 3))
        for k, v in out.items():
            parts.setdefault(k, []).append(v)
    reps = {k: torch.cat(v) for k, v in parts.items()}
    reps['h.centred'] = reps['h'] - reps['h'].mean(0, keepdim=True)
    return reps


@torch.no_grad()
def batch_stat_features(model, images, batch=64):
    """h and z with train-mode BN (each batch normalised by its own statistics), state restored."""
    state = {k: v.clone() for k, v in model.state_dict().items()}
    model.train()
    hs, zs = [], []
    for start in range(0, images.shape[0] - batch + 1, batch):
        h, zt = model(images[start : start + batch])
        hs.append(h)
        zs.append(F.normalize(zt, dim=1))
    model.load_state_dict(state)
    model.eval()
    return torch.cat(hs), torch.cat(zs)


@torch.no_grad()
def reestimate_bn(model, images, batch=256):
    """Replaces every BN layer's running statistics by their plain average over `images`."""
    for mod in model.modules():
        if isinstance(mod, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
            mod.reset_running_stats()
            mod.momentum = None  # cumulative average
    model.train()
    for start in range(0, images.shape[0], batch):
        model(images[start : start + batch])
    model.eval()


def study(model, test_x, bank_x):
    """{BN mode: {representation: geometry}} for the stored running statistics, statistics
    re-estimated on `bank_x`, and per-batch statistics (h and z only)."""
    out = {'running': {name: geometry(x) for name, x in representations(model, test_x).items()}}
    h_b, z_b = batch_stat_features(model, test_x)
    out['batch'] = {'h': geometry(h_b), 'z': geometry(z_b)}
    reestimate_bn(model, bank_x)
    out['reestimated'] = {name: geometry(x) for name, x in representations(model, test_x).items()}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--model', action='append', required=True, help='LABEL=PATH.json or LABEL=random:SEED')
    ap.add_argument('--preset', choices=['small', 'small-signed'], default='small')
    ap.add_argument('--width', type=float, default=1.0)
    ap.add_argument('--data-dir', default='/usr/share/datasets/fashion-mnist')
    ap.add_argument('--test-limit', type=int, default=2000)
    ap.add_argument('--bn-images', type=int, default=10000)
    ap.add_argument('--out', required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    test_x, _ = load_idx(args.data_dir, 'test', args.test_limit)
    bank_x, _ = load_idx(args.data_dir, 'train', args.bn_images)
    widths = [max(1, round(c * args.width)) for c in (32, 64, 128)]
    results = {}
    for spec in args.model:
        label, source = spec.split('=', 1)
        if source.startswith('random:'):
            torch.manual_seed(int(source.split(':', 1)[1]))
            model = SmallSsl(widths=widths, final_relu=args.preset == 'small')
        else:
            model = SmallSsl(widths=widths, final_relu=args.preset == 'small')
            load_weights(model, source)
        results[label] = study(model, test_x, bank_x)
        for mode, reps in results[label].items():
            print(f'== {label} ({source}), BN statistics: {mode}')
            for name, g in reps.items():
                print(
                    f'  {name:26s} -U {g["uniformity"]:.3f}  cos {g["meanCosine"]:.3f}  bound {g["jensenBound"]:.3f}  '
                    f'erank {g["effectiveRank"]:6.1f}/{g["dim"]}  l1 {g["l1Density"]:.2f}  neg {g["negativeShare"]:.2f}  zero {g["zeroShare"]:.2f}',
                    flush=True,
                )
    with open(args.out, 'w') as f:
        json.dump({'args': vars(args), 'results': results}, f, indent=1)


if __name__ == '__main__':
    main()
