"""Data side of the PyTorch reference: Fashion-MNIST IDX reader, the Dirichlet label-skew split and
the grayscale28 two-view augmentation, written from the rules our TypeScript follows
(libs/data/src/partition.ts, libs/ssl/src/augment/*) but with torch's own random generator: the
same scheme, not the same draws.
"""
import gzip
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

FILES = {
    'train': ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte'),
    'test': ('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'),
}


def _read(path):
    for candidate in (path, path + '.gz'):
        if os.path.exists(candidate):
            opener = gzip.open if candidate.endswith('.gz') else open
            with opener(candidate, 'rb') as f:
                return f.read()
    raise FileNotFoundError(f'{path}(.gz) not found: install dataset-fashion-mnist or pass --data-dir')


def load_idx(data_dir, split, limit=None):
    """(images [N, 1, H, W] float32 in [0, 1], labels [N] int64): the first `limit` of `split`."""
    images_name, labels_name = FILES[split]
    raw = _read(os.path.join(data_dir, images_name))
    count, rows, cols = (int.from_bytes(raw[4 * i : 4 * i + 4], 'big') for i in (1, 2, 3))
    n = count if limit is None else min(limit, count)
    pixels = np.frombuffer(raw, dtype=np.uint8, count=n * rows * cols, offset=16).reshape(n, 1, rows, cols)
    labels = np.frombuffer(_read(os.path.join(data_dir, labels_name)), dtype=np.uint8, count=n, offset=8)
    return torch.from_numpy(pixels.astype(np.float32) / 255.0), torch.from_numpy(labels.astype(np.int64))


def dirichlet_split(labels, clients, alpha, seed, min_per_client=2, max_tries=100):
    """Per class, Dir(alpha 1_K) proportions cut the class's shuffled indices into K runs (last
    client takes the remainder); re-draw until every client holds >= min_per_client samples."""
    rng = np.random.default_rng(seed)
    labels = np.asarray(labels)
    by_class = [np.flatnonzero(labels == c) for c in range(int(labels.max()) + 1)]
    for _ in range(max_tries):
        out = [[] for _ in range(clients)]
        for members in by_class:
            idx = rng.permutation(members)
            props = rng.dirichlet([alpha] * clients)
            cuts = [round(c * len(idx)) for c in np.cumsum(props)[:-1]] + [len(idx)]
            start = 0
            for k, end in enumerate(cuts):
                out[k].extend(idx[start:end].tolist())
                start = max(start, end)
        if all(len(o) >= min_per_client for o in out):
            return [sorted(o) for o in out]
    raise ValueError(f'no Dirichlet split with >= {min_per_client} samples per client after {max_tries} tries')


def _crop_box(gen, height, width, scale=(0.3, 1.0), ratio=(3 / 4, 4 / 3)):
    """torchvision RandomResizedCrop.get_params: 10 tries, then a centre crop clamped to the ratio range."""
    area = height * width
    log_lo, log_hi = math.log(ratio[0]), math.log(ratio[1])
    for _ in range(10):
        target = area * (scale[0] + (scale[1] - scale[0]) * torch.rand(1, generator=gen).item())
        aspect = math.exp(log_lo + (log_hi - log_lo) * torch.rand(1, generator=gen).item())
        w = round(math.sqrt(target * aspect))
        h = round(math.sqrt(target / aspect))
        if 0 < w <= width and 0 < h <= height:
            top = int(torch.randint(0, height - h + 1, (1,), generator=gen))
            left = int(torch.randint(0, width - w + 1, (1,), generator=gen))
            return top, left, h, w
    return 0, 0, height, width


def augment(batch, gen, jitter_prob=0.8, strength=0.4, flip_prob=0.5):
    """One grayscale28 view per image of [N, 1, H, W]: random resized crop (scale 0.3-1) resampled
    bilinearly (half-pixel centres, no antialias, as ours), flip, then with p 0.8 brightness and
    contrast factors in [0.6, 1.4] applied in random order, each clamped to [0, 1]."""
    n, _, height, width = batch.shape
    out = torch.empty_like(batch)
    for i in range(n):
        top, left, h, w = _crop_box(gen, height, width)
        crop = batch[i : i + 1, :, top : top + h, left : left + w]
        img = F.interpolate(crop, size=(height, width), mode='bilinear', align_corners=False)[0]
        if torch.rand(1, generator=gen).item() < flip_prob:
            img = img.flip(-1)
        if torch.rand(1, generator=gen).item() < jitter_prob:
            b = 1 - strength + 2 * strength * torch.rand(1, generator=gen).item()
            c = 1 - strength + 2 * strength * torch.rand(1, generator=gen).item()
            for op in torch.randperm(2, generator=gen).tolist():
                if op == 0:
                    img = (img * b).clamp(0, 1)
                else:
                    img = (img * c + img.mean() * (1 - c)).clamp(0, 1)
        out[i] = img
    return out
