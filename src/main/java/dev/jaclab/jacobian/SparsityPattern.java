package dev.jaclab.jacobian;

import dev.jaclab.autodiff.Autograd;
import dev.jaclab.tensor.Node;
import dev.jaclab.tensor.Tensor;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The structure of the (N·m)×(N·n) Jacobian: the N×N sample coupling (which input samples reach which output
 * samples), its class in plain words (independent / banded(w) / dense), the element pattern where affordable, and the
 * mixing ops that explain it. Independence is proved from the tape; otherwise coupling is detected by random-probe
 * JVPs (one probe per input sample, batched), exact with probability 1, when N ≤ {@link #PROBE_LIMIT}.
 *
 * <pre>{@code
 * SparsityPattern p = Jacobian.of(y, x).sparsity();
 * p.kind();          // DENSE for attention across the batch
 * p.explain();       // "dense coupling: every output sample depends on ... (mixing ops: matmul ...)"
 * Viz.spy(p);
 * }</pre>
 */
public final class SparsityPattern {
    /** Largest N for which coupling is probed. */
    public static final long PROBE_LIMIT = 4096;
    /** Largest N·n (and N·m) for which the element pattern is probed. */
    public static final long ELEMENT_LIMIT = 4096;

    /** Coupling classes. */
    public enum Kind { INDEPENDENT, BANDED, DENSE, UNKNOWN }

    private final long samples, n, m;
    private final BitSet[] dependsOn;     // per output sample: input samples; null when not probed
    private BitSet[] elements;            // per output element row (i·m + k): input columns (j·n + b); probed on first use
    private Problem problem;              // kept until the element pattern is probed
    private final Kind kind;
    private final int bandwidth;
    private final List<String> mixingOps;
    private final String reason;

    private SparsityPattern(long samples, long n, long m, BitSet[] dependsOn, BitSet[] elements, Kind kind, int bandwidth,
                            List<String> mixingOps, String reason) {
        this.samples = samples;
        this.n = n;
        this.m = m;
        this.dependsOn = dependsOn;
        this.elements = elements;
        this.kind = kind;
        this.bandwidth = bandwidth;
        this.mixingOps = mixingOps;
        this.reason = reason;
    }

    /** Probes per batched sweep when detecting coupling: as many as fit a quarter of the budget. */
    static long probeChunk(Problem p) {
        long per = Math.max(1, Cost.perVectorBytes(p));
        return Math.max(1, Math.min(p.samples(), p.budgetBytes() / 4 / per));
    }

    /** Whether {@link #detect} will probe coupling (the Jacobian is not proved independent and N is small enough). */
    static boolean probes(Problem p) { return !p.structure().independent() && p.samples() <= PROBE_LIMIT && !p.traced(); }

    static SparsityPattern detect(Problem p) {
        Structure s = p.structure();
        int N = Math.toIntExact(p.samples());
        List<String> mixing = new ArrayList<>();
        for (Node node : s.mixingOps()) mixing.add(node.toString());
        BitSet[] dep = null;
        if (s.independent()) {
            dep = new BitSet[N];
            for (int i = 0; i < N; i++) { dep[i] = new BitSet(N); dep[i].set(i); }
        } else if (probes(p)) {
            dep = probeCoupling(p);
        }
        Kind kind;
        int w = 0;
        if (dep == null) kind = Kind.UNKNOWN;
        else {
            for (int i = 0; i < N; i++)
                for (int j = dep[i].nextSetBit(0); j >= 0; j = dep[i].nextSetBit(j + 1)) w = Math.max(w, Math.abs(i - j));
            kind = w == 0 ? Kind.INDEPENDENT : 2L * w + 1 < N / 2 ? Kind.BANDED : Kind.DENSE;
        }
        SparsityPattern sp = new SparsityPattern(N, p.inputWidth(), p.outputWidth(), dep, null, kind, w, mixing, s.explain());
        sp.problem = p;
        return sp;
    }

    private static BitSet[] probeCoupling(Problem p) {
        int N = Math.toIntExact(p.samples());
        long n = p.inputWidth();
        long chunk = probeChunk(p);
        BitSet[] dep = new BitSet[N];
        for (int i = 0; i < N; i++) dep[i] = new BitSet(N);
        SplittableRandom rnd = new SplittableRandom(p.seed);
        for (int start = 0; start < N; start += chunk) {
            int c = (int) Math.min(chunk, N - start);
            double[] t = new double[Math.toIntExact(c * N * n)];
            for (int j = 0; j < c; j++)
                for (int b = 0; b < n; b++) t[(int) ((long) j * N * n + (long) (start + j) * n + b)] = 0.5 + rnd.nextDouble();
            Tensor tangents = Tensor.fromArray(t, c, N, n).cast(p.x.dtype());
            Tensor out = p.toSampleMajor(Autograd.jvp(p.y, p.x, p.xTangents(tangents), true));   // (c, N, m)
            double[] mag = out.abs().sum(new int[]{2}, false).toDoubleArray();                  // (c, N)
            for (int j = 0; j < c; j++)
                for (int i = 0; i < N; i++) if (mag[j * N + i] != 0) dep[i].set(start + j);
        }
        return dep;
    }

    private static BitSet[] probeElements(Problem p) {
        int N = Math.toIntExact(p.samples()), n = Math.toIntExact(p.inputWidth()), m = Math.toIntExact(p.outputWidth());
        int cols = N * n;
        double[] t = new double[cols * cols];
        for (int c = 0; c < cols; c++) t[c * cols + c] = 1;
        Tensor tangents = Tensor.fromArray(t, cols, N, n).cast(p.x.dtype());
        double[] out = p.toSampleMajor(Autograd.jvp(p.y, p.x, p.xTangents(tangents), true)).toDoubleArray();   // (N·n, N, m)
        BitSet[] rows = new BitSet[N * m];
        for (int r = 0; r < N * m; r++) rows[r] = new BitSet(cols);
        for (int c = 0; c < cols; c++)
            for (int r = 0; r < N * m; r++) if (out[c * N * m + r] != 0) rows[r].set(c);
        return rows;
    }

    public long samples() { return samples; }

    public long inputWidth() { return n; }

    public long outputWidth() { return m; }

    public Kind kind() { return kind; }

    /** Largest |i − j| over coupled sample pairs (0 when independent). */
    public int bandwidth() { return bandwidth; }

    /** Per output sample, the input samples it depends on; null when coupling was not probed (N too large). */
    public BitSet[] couplingRows() { return dependsOn; }

    /** Per Jacobian row (i·m + k), its nonzero columns (j·n + b), probed on first call (one batched JVP of N·n
     * one-hot tangents); null when N·n or N·m exceeds {@link #ELEMENT_LIMIT}. */
    public BitSet[] elementRows() {
        if (elements == null && problem != null && samples * n <= ELEMENT_LIMIT && samples * m <= ELEMENT_LIMIT) {
            elements = probeElements(problem);
            problem = null;
        }
        return elements;
    }

    public boolean coupled(int outSample, int inSample) { return dependsOn != null && dependsOn[outSample].get(inSample); }

    /** Names and shapes of the ops that mix samples between x and y. */
    public List<String> mixingOps() { return mixingOps; }

    /** Nonzero count of the element pattern (-1 when not probed). */
    public long nonzeros() {
        BitSet[] rows = elementRows();
        if (rows == null) return -1;
        long c = 0;
        for (BitSet b : rows) c += b.cardinality();
        return c;
    }

    /** Sample coloring for compressed seeds (null when coupling is unknown). */
    public int[] colors() { return dependsOn == null ? null : Coloring.greedy(dependsOn, (int) samples); }

    /** The coupling class and its cause in plain words. */
    public String explain() {
        switch (kind) {
            case INDEPENDENT: return "independent samples: the Jacobian is block-diagonal (" + samples + " blocks of " + m + "×" + n + ")";
            case BANDED: return "banded coupling: output sample i depends on input samples within ±" + bandwidth + " of i; " + reason;
            case DENSE: return "dense coupling: output samples depend on far-away input samples (bandwidth " + bandwidth + " of " + samples + "); " + reason;
            default: return "coupling not probed at N = " + samples + " (limit " + PROBE_LIMIT + "); " + reason;
        }
    }

    @Override public String toString() { return "SparsityPattern[" + kind + (kind == Kind.BANDED ? "(" + bandwidth + ")" : "") + ", N=" + samples + "]"; }
}
