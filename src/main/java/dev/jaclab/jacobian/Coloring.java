package dev.jaclab.jacobian;

import java.util.BitSet;

/**
 * Greedy coloring of samples for compressed per-sample blocks: samples i and j conflict when output i depends on
 * input j or output j on input i; samples of one color can share a seed because no other member of the color
 * reaches a member's own block. Only the diagonal blocks are wanted, so conflicts are between coupled pairs only
 * (distance-1), not pairs sharing a neighbour: in natural order this is optimal for block-diagonal (1 color) and
 * banded coupling of half-width w (w+1 colors; recovering the whole Jacobian would need 2w+1).
 *
 * <pre>{@code
 * int[] colors = Coloring.greedy(pattern.couplingRows(), N);
 * }</pre>
 */
public final class Coloring {
    private Coloring() {}

    /** {@code dependsOn[i]} = input samples that output sample i depends on. Returns the color of each sample. */
    public static int[] greedy(BitSet[] dependsOn, int samples) {
        BitSet[] conflict = new BitSet[samples];
        for (int i = 0; i < samples; i++) conflict[i] = (BitSet) dependsOn[i].clone();
        for (int i = 0; i < samples; i++)
            for (int j = dependsOn[i].nextSetBit(0); j >= 0; j = dependsOn[i].nextSetBit(j + 1)) conflict[j].set(i);
        int[] color = new int[samples];
        java.util.Arrays.fill(color, -1);
        BitSet used = new BitSet();
        for (int i = 0; i < samples; i++) {
            used.clear();
            for (int j = conflict[i].nextSetBit(0); j >= 0; j = conflict[i].nextSetBit(j + 1))
                if (j != i && color[j] >= 0) used.set(color[j]);
            color[i] = used.nextClearBit(0);
        }
        return color;
    }

    public static int count(int[] colors) {
        int max = -1;
        for (int c : colors) max = Math.max(max, c);
        return max + 1;
    }
}
