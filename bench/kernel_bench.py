"""Kernel benchmark: start-to-first-result, trivial cell round trip, idle RSS.

Run (after ./install.sh, or with JUPYTER_PATH pointing at a kernelspec install such as test/kernel-tests.sh makes):
    /usr/bin/python3 bench/kernel_bench.py [--kernel jaclab] [--starts 3] [--cells 200]
Prints one line per measurement and a JSON summary (also written to bench/results/kernel.json).
"""
import argparse
import json
import os
import statistics
import time

from jupyter_client.manager import KernelManager


def wait_result(kc, msg_id, timeout=60):
    """Waits for the execute_reply of msg_id and the idle status that follows; returns the reply."""
    while True:  # skip leftovers (e.g. extra kernel_info replies from wait_for_ready)
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    assert reply["content"]["status"] == "ok", reply["content"]
    while True:
        m = kc.get_iopub_msg(timeout=timeout)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status" \
                and m["content"]["execution_state"] == "idle":
            return reply


def start_to_first_result(kernel):
    t0 = time.perf_counter()
    km = KernelManager(kernel_name=kernel)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    t_ready = time.perf_counter()
    msg_id = kc.execute("1 + 1")
    while True:
        m = kc.get_iopub_msg(timeout=60)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "execute_result":
            break
    t_result = time.perf_counter()
    return km, kc, t_ready - t0, t_result - t0


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", default="jaclab")
    ap.add_argument("--starts", type=int, default=3)
    ap.add_argument("--cells", type=int, default=200)
    ap.add_argument("--code", default="1", help="the trivial cell to time")
    args = ap.parse_args()

    # one cold-ish start first (fills the OS page cache), not counted
    km, kc, _, first = start_to_first_result(args.kernel)
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    print(f"first start (not counted): {first:.2f} s")

    starts, readies = [], []
    for i in range(args.starts):
        km, kc, ready, result = start_to_first_result(args.kernel)
        starts.append(result)
        readies.append(ready)
        print(f"start {i + 1}: kernel ready {ready:.2f} s, first result {result:.2f} s")
        if i < args.starts - 1:
            kc.stop_channels()
            km.shutdown_kernel(now=True)

    for _ in range(100):  # warm the JIT on the request path
        wait_result(kc, kc.execute(args.code))
    trips = []
    for _ in range(args.cells):
        t = time.perf_counter()
        wait_result(kc, kc.execute(args.code))
        trips.append((time.perf_counter() - t) * 1000)
    trips.sort()
    median = statistics.median(trips)
    p90 = trips[int(len(trips) * 0.9)]
    print(f"trivial cell {args.code!r} round trip (execute -> reply + idle): median {median:.1f} ms, p90 {p90:.1f} ms, "
          f"min {trips[0]:.1f} ms over {len(trips)} cells")

    time.sleep(3)
    pid = km.provisioner.process.pid
    rss = rss_kib(pid) / 1024
    print(f"kernel RSS at idle: {rss:.0f} MiB (pid {pid})")

    kc.stop_channels()
    km.shutdown_kernel(now=True)
    summary = {
        "start_to_first_result_s_median": round(statistics.median(starts), 3),
        "kernel_ready_s_median": round(statistics.median(readies), 3),
        "round_trip_code": args.code,
        "round_trip_ms_median": round(median, 2),
        "round_trip_ms_p90": round(p90, 2),
        "idle_rss_mib": round(rss, 1),
    }
    print(json.dumps(summary))
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "kernel.json"), "w") as f:
        json.dump(summary, f, indent=2)


if __name__ == "__main__":
    main()
