#!/usr/bin/python3
"""PyTorch's side of the independent-samples benchmark (bench/independent-bench.sh): per-sample Jacobians of models
whose samples do not interact, by each of PyTorch's routes, and a chain of elementwise ops (per-op overhead).

  /usr/bin/python3 bench/torch_independent.py sin 16384 gradPerOutput [repeats]
  /usr/bin/python3 bench/torch_independent.py mlp 1048576 vmapJacrev [repeats]
  /usr/bin/python3 bench/torch_independent.py chain 1024 recorded [repeats]

Routes: gradPerOutput (m torch.autograd.grad calls, grad output e_k on every sample), isGradsBatched (one
torch.autograd.grad with is_grads_batched over the m basis cotangents), vmapJacrev / vmapJacfwd (functorch over
samples). Times include the model's forward (the graph is built inside the timed region). chain: ten elementwise ops
on (N, 3), recorded (requires_grad) or not; the time is per chain.

Prints one CSV line: model,N,route,seconds (median),peak_rss_mib,cpu_seconds (median). One thread, float32.
"""
import math, resource, statistics, sys, time
import torch

torch.set_num_threads(1)


def mlp_weights(seed=1):
    g = torch.Generator().manual_seed(seed)
    rnd = lambda *s: torch.randn(*s, generator=g)
    return rnd(3, 64) / math.sqrt(3), rnd(64) * 0.1, rnd(64, 64) / 8, rnd(64) * 0.1, rnd(64, 3) / 8


def model(name):
    if name == "sin":
        return torch.sin
    w1, b1, w2, b2, w3 = mlp_weights()
    return lambda x: torch.tanh(torch.tanh(x @ w1 + b1) @ w2 + b2) @ w3


def grad_per_output(f, x):
    x = x.detach().requires_grad_(True)
    y = f(x)
    m = y.shape[1]
    rows = []
    for k in range(m):
        e = torch.zeros_like(y)
        e[:, k] = 1
        rows.append(torch.autograd.grad(y, x, e, retain_graph=k < m - 1)[0])
    return torch.stack(rows, dim=1)                                            # (N, m, n)


def is_grads_batched(f, x):
    x = x.detach().requires_grad_(True)
    y = f(x)
    n, m = y.shape
    basis = torch.eye(m).reshape(m, 1, m).expand(m, n, m)
    return torch.autograd.grad(y, x, basis, is_grads_batched=True)[0].permute(1, 0, 2)


def vmap_jacrev(f, x):
    from functorch import vmap, jacrev
    return vmap(jacrev(lambda v: f(v.unsqueeze(0)).squeeze(0)))(x)


def vmap_jacfwd(f, x):
    from functorch import vmap, jacfwd
    return vmap(jacfwd(lambda v: f(v.unsqueeze(0)).squeeze(0)))(x)


ROUTES = {"gradPerOutput": grad_per_output, "isGradsBatched": is_grads_batched, "vmapJacrev": vmap_jacrev, "vmapJacfwd": vmap_jacfwd}


def chain(x):
    """Ten elementwise ops (the same chain as JacLab's ChainBench)."""
    y = torch.sin(x)
    y = y * 1.5
    y = y + 0.25
    y = torch.tanh(y)
    y = torch.exp(y)
    y = y - 1.0
    y = y * y
    y = torch.sin(y)
    y = y + x
    return torch.tanh(y)


def main():
    name, n, route = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    g = torch.Generator().manual_seed(1)
    x = torch.randn(n, 3, generator=g)
    if name == "chain":
        chains = max(1, 20000 // max(1, n // 1024))
        xr = x.detach().requires_grad_(route == "recorded")
        def run():
            for _ in range(chains):
                chain(xr)
        scale = chains
    else:
        f, fn = model(name), ROUTES[route]
        run, scale = (lambda: fn(f, x)), 1
    w0 = time.perf_counter()
    run()                                                                      # warm-up
    inner = max(1, math.ceil(0.3 / (time.perf_counter() - w0)))               # each repeat lasts >= 0.3 s, as JacLab's
    times, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(inner):
            run()
        times.append((time.perf_counter() - t0) / scale / inner)
        cpu.append((time.process_time() - c0) / scale / inner)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("%s,%d,%s,%.9f,%.0f,%.9f" % (name, n, route, statistics.median(times), rss, statistics.median(cpu)))


if __name__ == "__main__":
    main()
