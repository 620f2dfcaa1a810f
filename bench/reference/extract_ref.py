"""PyTorch reference for bench/src/extract-bench.ts: samples/s of forward-only feature
extraction (encoder h and unit projector z, eval-mode BatchNorm, no gradient) with the models of
train_ref.py.

    /usr/bin/python3 bench/reference/extract_ref.py --model small --images 2048 --batch 256 --threads 1

Prints `RESULT model=<m> backend=torch torch_sps=<x> torch_rss_mb=<peak resident MB>`.
"""
import argparse
import resource
import time

import torch
import torch.nn.functional as F

from train_ref import SslModel


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', default='small')
    ap.add_argument('--images', type=int, default=2048)
    ap.add_argument('--batch', type=int, default=256)
    ap.add_argument('--repeats', type=int, default=2)
    ap.add_argument('--width', type=float, default=1.0)
    ap.add_argument('--threads', type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = SslModel(args.model, args.width).eval()
    images = torch.rand(args.images, *model.shape)

    def extract():
        hs, zs = [], []
        for start in range(0, args.images, args.batch):
            h, zt = model(images[start:start + args.batch])
            hs.append(h)
            zs.append(F.normalize(zt, dim=1))
        return torch.cat(hs), torch.cat(zs)

    with torch.no_grad():
        model(images[: args.batch])  # warm-up, as the TF.js side
        start = time.perf_counter()
        for _ in range(args.repeats):
            extract()
        seconds = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # KiB on Linux
    print(f'RESULT model={args.model} backend=torch torch_sps={args.images * args.repeats / seconds:.2f} torch_rss_mb={rss_mb}', flush=True)


if __name__ == '__main__':
    main()
