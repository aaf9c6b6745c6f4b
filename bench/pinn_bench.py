#!/usr/bin/env python3
"""PyTorch side of bench/pinn-bench.sh: the same 2-D Poisson PINN as notebooks/06 and dev.jaclab.bench.PinnBench.

  pinn_bench.py step N REPS        median ms of one training step (forward, Laplacian by second derivatives, loss,
                                   backward, Adam update) on N collocation points, wall and CPU time of the thread;
                                   prints "RESULT step|N|ms|cpuMs|peakMiB"
  pinn_bench.py recipe ADAM LBFGS  Adam steps then L-BFGS (strong Wolfe) iterations on 1,024 points; prints
                                   "RESULT recipe|seconds|cpuSeconds|relL2|lbfgsIterations|evaluations|peakMiB"
Single-threaded, float32. Run it through bench/pinn-bench.sh (which sets the threads and the OpenBLAS library).
"""
import math
import resource
import sys
import time

import torch

torch.set_num_threads(1)
torch.manual_seed(0)


def mlp():
    net = torch.nn.Sequential(torch.nn.Linear(2, 64), torch.nn.Tanh(), torch.nn.Linear(64, 64), torch.nn.Tanh(),
                              torch.nn.Linear(64, 1))
    for m in net:
        if isinstance(m, torch.nn.Linear):
            torch.nn.init.xavier_normal_(m.weight)
            torch.nn.init.zeros_(m.bias)
    return net


def exact(p):
    s = torch.sin(math.pi * p)
    return (s[:, 0] * s[:, 1])[:, None]


def u(net, p):
    x, y = p[:, 0], p[:, 1]
    return net(p) * (16 * x * (1 - x) * y * (1 - y))[:, None]


def laplacian(out, x):
    g = torch.autograd.grad(out.sum(), x, create_graph=True)[0]
    lap = 0
    for a in range(x.shape[1]):
        lap = lap + torch.autograd.grad(g[:, a].sum(), x, create_graph=True)[0][:, a]
    return lap[:, None]


def pde_loss(net, points, f):
    x = points.clone().requires_grad_(True)
    return (-laplacian(u(net, x), x) - f).square().mean()


def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step(n, reps, warmup=10):
    net = mlp()
    points = torch.rand(n, 2)
    f = 2 * math.pi ** 2 * exact(points)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    times, cpu = [], []
    for i in range(reps + warmup):
        t0, c0 = time.perf_counter(), time.thread_time()
        opt.zero_grad()
        loss = pde_loss(net, points, f)
        loss.backward()
        opt.step()
        if i >= warmup:
            times.append(time.perf_counter() - t0)
            cpu.append(time.thread_time() - c0)
    times.sort()
    cpu.sort()
    print(f"RESULT step|{n}|{1000 * times[len(times) // 2]:.2f}|{1000 * cpu[len(cpu) // 2]:.2f}|{peak_mib():.0f}")


def recipe(adam_steps, lbfgs_iterations):
    net = mlp()
    points = torch.rand(1024, 2)
    f = 2 * math.pi ** 2 * exact(points)
    g = 64
    c = (torch.arange(g, dtype=torch.float32) + 0.5) / g
    yy, xx = torch.meshgrid(c, c, indexing="ij")
    grid = torch.stack([xx.reshape(-1), yy.reshape(-1)], dim=1)
    t0, c0 = time.perf_counter(), time.thread_time()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    for _ in range(adam_steps):
        opt.zero_grad()
        loss = pde_loss(net, points, f)
        loss.backward()
        opt.step()
    lbfgs = torch.optim.LBFGS(net.parameters(), lr=1, max_iter=lbfgs_iterations, history_size=50,
                              line_search_fn="strong_wolfe", tolerance_grad=1e-9, tolerance_change=1e-12)

    def closure():
        lbfgs.zero_grad()
        loss = pde_loss(net, points, f)
        loss.backward()
        return loss

    lbfgs.step(closure)
    seconds, cpu_seconds = time.perf_counter() - t0, time.thread_time() - c0
    with torch.no_grad():
        e = u(net, grid) - exact(grid)
        rel = math.sqrt(e.square().sum().item() / exact(grid).square().sum().item())
    state = lbfgs.state[lbfgs._params[0]]
    print(f"RESULT recipe|{seconds:.1f}|{cpu_seconds:.1f}|{rel:.2e}|{state['n_iter']}|{state['func_evals']}|{peak_mib():.0f}")


if __name__ == "__main__":
    if sys.argv[1] == "step":
        step(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 10)
    else:
        recipe(int(sys.argv[2]), int(sys.argv[3]))
