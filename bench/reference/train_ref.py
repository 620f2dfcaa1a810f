"""PyTorch reference for bench/src/train-bench.ts: samples/s of one SSD training step
(two views, forward + backward + SGD) with the same models, loss and batch, on 2 threads.

    /usr/bin/python3 bench/reference/train_ref.py --model small --batch 128 --steps 3

Prints `RESULT model=<m> backend=torch torch_sps=<x> torch_rss_mb=<peak resident MB>`. Views are random tensors (augmentation
is not timed here; in the TF.js bench it costs ~10-25 ms per view of 128 images).
"""
import argparse
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def small_encoder(channels):
    layers, cin = [], channels
    for i, cout in enumerate([32, 64, 128]):
        layers += [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
        if i < 2:
            layers.append(nn.MaxPool2d(2))
        cin = cout
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


def resnet18_encoder(channels, width):
    widths = [max(1, round(c * width)) for c in (64, 128, 256, 512)]
    layers = [nn.Conv2d(channels, widths[0], 3, 1, 1, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU(inplace=True)]
    cin = widths[0]
    for s, cout in enumerate(widths):
        layers += [BasicBlock(cin, cout, 1 if s == 0 else 2), BasicBlock(cout, cout, 1)]
        cin = cout
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten()), widths[3]


class SslModel(nn.Module):
    def __init__(self, kind, width):
        super().__init__()
        if kind == 'small':
            self.encoder, d, hidden, self.shape = small_encoder(1), 128, 256, (1, 28, 28)
        else:
            self.encoder, d = resnet18_encoder(3, width)
            hidden, self.shape = 4 * d, (3, 32, 32)
        self.d = d
        self.projector = nn.Sequential(nn.Linear(d, hidden), nn.BatchNorm1d(hidden), nn.ReLU(inplace=True), nn.Linear(hidden, d))

    def forward(self, x):
        h = self.encoder(x)
        return h, self.projector(h)


def uniformity(z, t=2.0):
    return torch.pdist(z, p=2).pow(2).mul(-t).exp().mean().log()


def dsr(z, q, diag):
    # code form: P = Z Q D Q^T, stop-gradient, row-normalise; ||Z - P||_F / N
    p = F.normalize(((z @ q) * diag @ q.t()).detach(), dim=1)
    return torch.norm(z - p) / z.shape[0]


def pd(h, zt, tau=0.5):
    # KL(softmax(zt/tau) || softmax(h/tau)) per sample, no stop-gradient on the teacher
    p_log = F.log_softmax(zt / tau, dim=1)
    q_log = F.log_softmax(h / tau, dim=1)
    return (p_log.exp() * (p_log - q_log)).sum(dim=1).mean()


def ssd_loss(h1, h2, zt1, zt2, q, diag):
    z1, z2 = F.normalize(zt1, dim=1), F.normalize(zt2, dim=1)
    align = (z1 - z2).pow(2).sum(dim=1).mean()
    unif = (uniformity(z1) + uniformity(z2)) / 2
    d_term = (dsr(z1, q, diag) + dsr(z2, q, diag)) / 2
    pd_term = (pd(h1, zt1) + pd(h2, zt2)) / 2
    return align + unif + d_term + 0.1 * pd_term


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', default='small')
    ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--steps', type=int, default=3)
    ap.add_argument('--warmup', type=int, default=1)
    ap.add_argument('--width', type=float, default=1.0)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--profile', action='store_true', help='print the self CPU time per op of one step (the counterpart of bench/src/profile-kernels.ts)')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    for kind in args.model.split(','):
        model = SslModel(kind, args.width)
        model.train()
        d = model.d
        q, _ = torch.linalg.qr(torch.randn(d, d))
        diag = torch.ones(d)
        diag[: d // 10] = 10.0
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
        x1 = torch.rand(args.batch, *model.shape)
        x2 = torch.rand(args.batch, *model.shape)

        def step():
            h1, zt1 = model(x1)
            h2, zt2 = model(x2)
            loss = ssd_loss(h1, h2, zt1, zt2, q, diag)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss.item()

        for _ in range(args.warmup):
            step()
        if args.profile:
            with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
                start = time.perf_counter()
                step()
                took = time.perf_counter() - start
            print(f'model={kind} backend=torch step_seconds={took:.2f} (profiled)')
            print(prof.key_averages().table(sort_by='self_cpu_time_total', row_limit=25))
            continue
        start = time.perf_counter()
        for _ in range(args.steps):
            loss = step()
        seconds = time.perf_counter() - start
        sps = args.batch * args.steps / seconds
        print(f'model={kind} backend=torch threads={args.threads} batch={args.batch} steps={args.steps} seconds={seconds:.2f} loss={loss:.4f}')
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # KiB on Linux
        print(f'RESULT model={kind} backend=torch torch_sps={sps:.2f} torch_rss_mb={rss_mb}', flush=True)


if __name__ == '__main__':
    main()
