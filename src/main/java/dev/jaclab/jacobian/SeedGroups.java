package dev.jaclab.jacobian;

import dev.jaclab.autodiff.Autograd;
import dev.jaclab.nd.Arena;
import dev.jaclab.nd.InPlace;
import dev.jaclab.nd.NdArray;
import dev.jaclab.tensor.ShapeTrace;
import dev.jaclab.tensor.Tensor;
import dev.jaclab.tensor.Work;
import dev.jaclab.tensor.WorkMeter;

/**
 * The sum strategies' seed directions in groups: {@link ReverseSum} carries m cotangents through one batched reverse
 * sweep, {@link ForwardSum} n tangents through one forward sweep, and every batched tensor of that sweep is the
 * directions times a tensor of the tape. When that would pass {@link #GROUP_BYTES} per tensor, the directions go in
 * groups, one sweep per group, each group's blocks written straight into their place in the (N, m, n) result and its
 * sweep's memory freed before the next group: the sweep's frontier is then one group's, not all directions'.
 *
 * <p>The rule ({@link #size}): as many directions per group as keep the widest batched tensor (directions × the widest
 * tensor of the path, x included) within {@value #GROUP_BYTES} bytes, at least one; the directions spread evenly over
 * the groups. Below that size a batched tensor is small beside the process and one wide sweep pays the per-op cost
 * once (the 3-64-64-3 MLP at N = 16,384: 3 × 4 MiB, one group); above it the frontier dominates the peak — at N = 2^20
 * the MLP's three cotangents made (3, N, 64) tensors of 768 MiB, two live per node — while a sweep per direction does
 * the same flops and elementwise passes (PyTorch's one grad per output dim: (N, 64) cotangents). A sweep that records
 * the blocks on the tape (createGraph) is never split. The values are those of the single sweep: each direction's
 * rules see the same operands whichever group carries it.
 *
 * <pre>{@code
 * Problem p = Jacobian.of(model.forward(x), x).problem();     // N = 2^20, widest tensor (N, 64) f32: 256 MiB
 * SeedGroups.size(p, 3, SeedGroups.GROUP_BYTES);             // 1: three reverse sweeps of one cotangent each
 * }</pre>
 */
final class SeedGroups {
    private SeedGroups() {}

    /** Bytes a batched tensor of a sum strategy's sweep may reach before its directions are split into groups. */
    static final long GROUP_BYTES = 64L << 20;

    /** Bytes of the widest tensor on the path from x to y (x included): one direction's share of a batched tensor. */
    static long widestBytes(Problem p) { return Math.max(p.structure().maxTensorBytes(), p.x.numel() * p.bytesPerElement()); }

    /** Directions per group for {@code directions} seeds under {@code capBytes} per batched tensor (all of them under createGraph). */
    static long size(Problem p, long directions, long capBytes) {
        if (p.createGraph() || directions <= 1) return Math.max(1, directions);
        long most = Math.max(1, capBytes / Math.max(1, widestBytes(p)));
        if (most >= directions) return directions;
        long groups = (directions + most - 1) / most;
        return (directions + groups - 1) / groups;                  // spread evenly: groups of ⌈d/G⌉ and the rest
    }

    /** reverseSum's (N, m, n) blocks, the m cotangent directions in groups under {@code capBytes} per batched tensor. */
    static Tensor reverse(Problem p, long capBytes) {
        long m = p.outputWidth(), g = size(p, m, capBytes);
        if (g >= m) return ReverseSum.sampleMajor(p).permute(1, 0, 2);
        return grouped(p, m, g, (k0, c) -> {
            Tensor seeds = p.yCotangents(SumSeeds.basisRows(p.y.dtype(), m, k0, c, p.samples()));   // (c, N, m)
            return Autograd.grad(new Tensor[]{p.y}, new Tensor[]{p.x}, new Tensor[]{seeds}, new Autograd.Options(true, false))[0];
        }, new int[]{1, 0, 2}, 1);                                   // (c, N, n) → block rows k0 .. k0 + c
    }

    /** forwardSum's (N, m, n) blocks, the n tangent directions in groups under {@code capBytes} per batched tensor. */
    static Tensor forward(Problem p, long capBytes) {
        long n = p.inputWidth(), g = size(p, n, capBytes);
        if (g >= n) return ForwardSum.sampleMajor(p).permute(1, 2, 0);
        return grouped(p, n, g, (k0, c) -> {
            Tensor tangents = p.xTangents(SumSeeds.basisRows(p.x.dtype(), n, k0, c, p.samples()));   // (c, N, n)
            return Autograd.jvp(new Tensor[]{p.y}, new Tensor[]{p.x}, new Tensor[]{tangents}, true, false)[0];
        }, new int[]{1, 2, 0}, 2);                                   // (c, N, m) → block columns k0 .. k0 + c
    }

    private interface Sweep { Tensor of(long first, long count); }

    /**
     * One sweep per group of directions, each group's sample-major result (c, N, w) written in place, permuted by
     * {@code perm}, at offset k0 of dim {@code axis} of the (N, m, n) result, the group's sweep freed before the next.
     * The writes count as the strided copy that lays out the single sweep's blocks.
     */
    private static Tensor grouped(Problem p, long directions, long g, Sweep sweep, int[] perm, int axis) {
        long N = p.samples();
        long[] shape = {N, p.outputWidth(), p.inputWidth()};
        NdArray out = ShapeTrace.active() ? NdArray.shapeOnly(p.y.dtype(), shape) : NdArray.uninitialized(p.y.dtype(), shape);
        for (long k0 = 0; k0 < directions; k0 += g) {
            long c = Math.min(g, directions - k0);
            try (Arena group = Arena.open()) {                      // the group's sweep and result, freed here
                long[] at = new long[3];
                at[axis] = k0;
                InPlace.assignBlock(out, at, p.toSampleMajor(sweep.of(k0, c)).data(), perm);
            }
            double e = (double) N * shape[1] * shape[2] * c / directions, b = e * p.bytesPerElement();
            WorkMeter.add(new Work(0, 0, 0, b, b, 1, e));
        }
        return Tensor.wrap(out);
    }
}
