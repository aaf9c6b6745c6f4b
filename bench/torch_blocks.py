#!/usr/bin/python3
"""PyTorch's best exact per-sample blocks on JacLab's stacked-layer workloads (the side-by-side benchmark's other side).

  /usr/bin/python3 bench/torch_blocks.py attention2 1024 [repeats]   # K attention layers across the batch, 3N scalar backward passes
  /usr/bin/python3 bench/torch_blocks.py dense 4096 [repeats]        # sigmoid(Linear(3N, 3N)(x.flatten())), full is_grads_batched
  /usr/bin/python3 bench/torch_blocks.py denseClosedForm 4096        # the hand-derived blocks diag(σ'(z_i))·W_ii

Prints one CSV line: model,N,route,seconds (median, forward included),peak_rss_mib,cpu_seconds (median process CPU
time: robust where other work shares the cores). One thread (torch.set_num_threads(1)),
float32. The models have JacLab's shapes (Models.attentionStack(.., 3, 16, K, ..), Models.dense): times do not depend
on the weights' values.
"""
import math, re, resource, statistics, sys, time
import torch

torch.set_num_threads(1)
D = 16


def attention_stack(layers, n, seed=7):
    g = torch.Generator().manual_seed(seed)
    rnd = lambda *s: torch.randn(*s, generator=g)
    we, wo = rnd(3, D) / math.sqrt(3), rnd(D, 3) / math.sqrt(D)
    w = [[rnd(D, D) / math.sqrt(D) for _ in range(3)] for _ in range(layers)]
    x = rnd(n, 3)

    def f(x):
        h = x @ we
        for wq, wk, wv in w:
            h = torch.softmax((h @ wq) @ (h @ wk).T / math.sqrt(D), dim=-1) @ (h @ wv) + h
        return h @ wo + x
    return f, x


def scalar_backward_passes(f, x):
    """3N scalar backward passes, row i of each gradient: PyTorch's best exact route through coupled layers."""
    x = x.detach().requires_grad_(True)
    y = f(x).reshape(-1)
    J = torch.empty(x.shape[0], 3, 3)
    for r in range(y.numel()):
        J[r // 3, r % 3] = torch.autograd.grad(y[r], x, retain_graph=True)[0][r // 3]
    return J


def dense(n, seed=3):
    g = torch.Generator().manual_seed(seed)
    W = torch.randn(3 * n, 3 * n, generator=g) / math.sqrt(3 * n)
    return (lambda x: torch.sigmoid(W @ x.reshape(3 * n, 1)).reshape(n, 3)), W, torch.randn(n, 3, generator=g)


def full_is_grads_batched(f, x):
    x = x.detach().requires_grad_(True)
    y = f(x).reshape(-1)
    eye = torch.eye(y.numel())
    full = torch.autograd.grad(y, x, eye, is_grads_batched=True)[0]            # (3N, N, 3)
    n = x.shape[0]
    return full.reshape(n, 3, n, 3)[torch.arange(n), :, torch.arange(n), :]


def closed_form(W, x):
    n = x.shape[0]
    z = (W @ x.reshape(3 * n, 1)).reshape(n, 3)
    s = torch.sigmoid(z)
    blocks = W.reshape(n, 3, n, 3)[torch.arange(n), :, torch.arange(n), :]     # W_ii (n, 3, 3)
    return (s * (1 - s)).unsqueeze(2) * blocks


def main():
    model, n = sys.argv[1], int(sys.argv[2])
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    stack = re.fullmatch(r"attention(\d*)", model)
    if stack:
        f, x = attention_stack(int(stack.group(1) or 1), n)
        route, run = "3N scalar backward passes", lambda: scalar_backward_passes(f, x)
    elif model == "dense":
        f, W, x = dense(n)
        route, run = "full is_grads_batched", lambda: full_is_grads_batched(f, x)
    elif model == "denseClosedForm":
        f, W, x = dense(n)
        route, run = "closed form", lambda: closed_form(W, x)
    else:
        sys.exit("torch_blocks.py: unknown model '%s' (attentionK, dense, denseClosedForm)" % model)
    times, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        run()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("%s,%d,%s,%.4f,%.0f,%.4f" % (model, n, route, statistics.median(times), rss, statistics.median(cpu)))


if __name__ == "__main__":
    main()
