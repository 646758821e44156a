"""Reference timing: the paper's LeNet (ALGORITHM.md §3) in PyTorch on the CPU.

Same architecture, optimiser and batch as EvoLab's MaskedNetwork: conv 5x5 same -> maxpool 3/2
-> relu -> conv -> relu -> avgpool 3/2 -> conv -> relu -> avgpool 3/2 -> fc relu -> fc, Adam 1e-3.
Pooling padding 1 gives the same map sizes as tfjs 'same' (28 -> 14 -> 7 -> 4).

  /usr/bin/python3 bench/torch_lenet.py [--threads 2] [--batches 30] [--filters 32,32,64,64]
  /usr/bin/python3 bench/torch_lenet.py --conv N,H,W,C,K,F [--threads 2]   (one convolution's GFLOP/s)

Prints one JSON object on stdout (read by bench/run.ts).
"""
import argparse
import json
import time

import torch
from torch import nn


def lenet(filters, channels=1, size=28, classes=10):
    f1, f2, f3, f4 = filters
    side = size
    for _ in range(3):
        side = (side + 2 - 3) // 2 + 1
    return nn.Sequential(
        nn.Conv2d(channels, f1, 5, padding=2), nn.MaxPool2d(3, 2, padding=1), nn.ReLU(),
        nn.Conv2d(f1, f2, 5, padding=2), nn.ReLU(), nn.AvgPool2d(3, 2, padding=1, count_include_pad=False),
        nn.Conv2d(f2, f3, 5, padding=2), nn.ReLU(), nn.AvgPool2d(3, 2, padding=1, count_include_pad=False),
        nn.Flatten(), nn.Linear(f3 * side * side, f4), nn.ReLU(), nn.Linear(f4, classes),
    )


def conv(n, h, w, c, k, f):
    """GFLOP/s of one 'same' convolution of n images h x w x c with f filters k x k, best of 10."""
    x, wt = torch.rand(n, c, h, w), torch.rand(f, c, k, k)
    with torch.no_grad():
        torch.nn.functional.conv2d(x, wt, padding=k // 2)
        best = float('inf')
        for _ in range(10):
            t0 = time.perf_counter()
            torch.nn.functional.conv2d(x, wt, padding=k // 2)
            best = min(best, time.perf_counter() - t0)
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'shape': [n, h, w, c, k, f], 'gflops': 2 * n * h * w * c * k * k * f / best / 1e9}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--batches', type=int, default=30)
    p.add_argument('--batch-size', type=int, default=64)
    p.add_argument('--infer-batch', type=int, default=256)
    p.add_argument('--filters', default='32,32,64,64')
    p.add_argument('--conv', help='N,H,W,C,K,F: time one float32 convolution instead')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    if a.conv:
        return conv(*[int(v) for v in a.conv.split(',')])
    torch.manual_seed(1)
    filters = [int(f) for f in a.filters.split(',')]
    net = lenet(filters)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    # Synthetic MNIST-shaped data: the cost of a step does not depend on the pixel values.
    x = torch.rand(a.batches * a.batch_size, 1, 28, 28)
    y = torch.randint(0, 10, (a.batches * a.batch_size,))

    def step(i):
        xb = x[i * a.batch_size:(i + 1) * a.batch_size]
        yb = y[i * a.batch_size:(i + 1) * a.batch_size]
        opt.zero_grad()
        loss = loss_fn(net(xb), yb)
        loss.backward()
        opt.step()
        return loss

    t0 = time.perf_counter()
    step(0).item()
    first_step = time.perf_counter() - t0
    for i in range(3):
        step(i).item()
    t0 = time.perf_counter()
    for i in range(a.batches):
        loss = step(i)
    loss.item()
    train_s = time.perf_counter() - t0

    xi = torch.rand(a.infer_batch * 8, 1, 28, 28)
    with torch.no_grad():
        net(xi[:a.infer_batch]).argmax(1)
        t0 = time.perf_counter()
        for i in range(8):
            net(xi[i * a.infer_batch:(i + 1) * a.infer_batch]).argmax(1)
        infer_s = time.perf_counter() - t0

    print(json.dumps({
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        'filters': filters,
        'batchSize': a.batch_size,
        'trainImagesPerSecond': a.batches * a.batch_size / train_s,
        'inferImagesPerSecond': 8 * a.infer_batch / infer_s,
        'firstStepSeconds': first_step,
    }))


if __name__ == '__main__':
    main()
