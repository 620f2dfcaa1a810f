"""The `small` / `small-signed` presets in PyTorch, built like libs/ssl/src/models: conv3x3 (no
bias) - BN - ReLU blocks of 32/64/128 channels, 2x2 max-pool after the first two, global average
pool -> h (d = 128); projector Linear(128, 256) - BN - ReLU - Linear(256, 128). `small-signed`
drops the last block's ReLU. Init as ours: Kaiming-normal fan_out (ReLU gain) for convs, PyTorch's
default uniform for linears, BN gamma 1 / beta 0.
"""
import json

import torch
import torch.nn as nn


class SmallSsl(nn.Module):
    def __init__(self, widths=(32, 64, 128), final_relu=True, channels=1):
        super().__init__()
        self.final_relu = final_relu
        self.convs = nn.ModuleList()
        self.bns = nn.ModuleList()
        cin = channels
        for cout in widths:
            conv = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
            nn.init.kaiming_normal_(conv.weight, mode='fan_out', nonlinearity='relu')
            self.convs.append(conv)
            self.bns.append(nn.BatchNorm2d(cout))
            cin = cout
        d = widths[-1]
        self.d = d
        self.fc1 = nn.Linear(d, 2 * d)
        self.pbn = nn.BatchNorm1d(2 * d)
        self.fc2 = nn.Linear(2 * d, d)

    def encode_layers(self, x):
        """([(block name, BN output, after ReLU)], h)."""
        layers = []
        y = x
        last = len(self.convs) - 1
        for i, (conv, bn) in enumerate(zip(self.convs, self.bns)):
            pre = bn(conv(y))
            post = torch.relu(pre) if (i < last or self.final_relu) else pre
            layers.append((f'block{i + 1}', pre, post))
            y = nn.functional.max_pool2d(post, 2) if i < last else post
        return layers, y.mean(dim=(2, 3))

    def encode(self, x):
        return self.encode_layers(x)[1]

    def project(self, h):
        return self.fc2(torch.relu(self.pbn(self.fc1(h))))

    def forward(self, x):
        h = self.encode(x)
        return h, self.project(h)


def torch_names(model):
    """Our stable name -> (torch tensor, transpose rule)."""
    out = {}
    for i, (conv, bn) in enumerate(zip(model.convs, model.bns)):
        p = f'encoder.block{i + 1}'
        out[f'{p}.conv.kernel'] = (conv.weight, 'conv')
        out[f'{p}.bn.gamma'], out[f'{p}.bn.beta'] = (bn.weight, None), (bn.bias, None)
        out[f'{p}.bn.runningMean'], out[f'{p}.bn.runningVar'] = (bn.running_mean, None), (bn.running_var, None)
    for name, lin in (('projector.fc1', model.fc1), ('projector.fc2', model.fc2)):
        out[f'{name}.kernel'], out[f'{name}.bias'] = (lin.weight, 'linear'), (lin.bias, None)
    bn = model.pbn
    out['projector.bn.gamma'], out['projector.bn.beta'] = (bn.weight, None), (bn.bias, None)
    out['projector.bn.runningMean'], out['projector.bn.runningVar'] = (bn.running_mean, None), (bn.running_var, None)
    return out


@torch.no_grad()
def load_weights(model, path):
    """Loads a `fedssd simulate --save-model` manifest ([{name, shape, values}], TF.js layouts:
    conv [kh, kw, in, out], linear [in, out]) into `model`; every name must match."""
    with open(path) as f:
        manifest = {w['name']: w for w in json.load(f)}
    targets = torch_names(model)
    missing = sorted(set(targets) - set(manifest))
    extra = sorted(set(manifest) - set(targets))
    if missing or extra:
        raise ValueError(f'{path}: weights do not match the model (missing {missing[:3]}, unexpected {extra[:3]})')
    for name, (tensor, rule) in targets.items():
        w = manifest[name]
        v = torch.tensor(w['values'], dtype=torch.float32).reshape(w['shape'])
        if rule == 'conv':
            v = v.permute(3, 2, 0, 1)
        elif rule == 'linear':
            v = v.t()
        tensor.copy_(v)
