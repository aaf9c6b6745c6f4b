package dev.jaclab.jacobian;

/**
 * A strategy's predicted cost on a problem: sweeps over the tape and the vectors they carry (a batched sweep of B
 * cotangents is one sweep, B vectors), peak extra bytes, and work in forward-pass equivalents (one forward pass over
 * the whole batch = 1; a VJP vector ≈ 2, a JVP vector ≈ 1.5; a row-sparse VJP costs its cone), with the formula.
 *
 * <pre>{@code
 * Cost c = Strategies.reverseSum().cost(problem);   // reverse 1 sweep × m vectors, ...
 * }</pre>
 */
public record Cost(long reverseSweeps, long reverseVectors, long forwardSweeps, long forwardVectors,
                   long peakBytes, double work, String formula) {

    static Cost reverse(long sweeps, long vectors, long peakBytes, String formula) {
        return new Cost(sweeps, vectors, 0, 0, peakBytes, 2.0 * vectors, formula);
    }

    static Cost forward(long sweeps, long vectors, long peakBytes, String formula) {
        return new Cost(0, 0, sweeps, vectors, peakBytes, 1.5 * vectors, formula);
    }

    Cost plus(Cost o) {
        return new Cost(reverseSweeps + o.reverseSweeps, reverseVectors + o.reverseVectors, forwardSweeps + o.forwardSweeps,
                forwardVectors + o.forwardVectors, Math.max(peakBytes, o.peakBytes), work + o.work, formula + " + " + o.formula);
    }

    Cost withWork(double w) { return new Cost(reverseSweeps, reverseVectors, forwardSweeps, forwardVectors, peakBytes, w, formula); }

    /**
     * Bytes one batched vector of a dense sweep holds at its peak: at the widest tensor of the path (x included) a rule
     * holds its output's cotangent (or tangent), one temporary and its input's. The sweeps free everything else as they
     * go — the seeds once their node has run, each cotangent after its last consumer — so y's seeds and x's cotangent
     * are two of these three, not extra.
     */
    static long perVectorBytes(Problem p) { return 3 * SeedGroups.widestBytes(p); }

    /**
     * Peak of the diagonal route (one sweep of ones, then {@code diagEmbed}): the swept vector and one rule temporary
     * at the widest tensor, beside the (N, n, n) blocks it is embedded into. The ones are cached seeds, not made per call.
     */
    static long diagonalPeakBytes(Problem p) { return 2 * SeedGroups.widestBytes(p) + blockBytes(p); }

    /** Bytes of the (N, m, n) result. */
    static long blockBytes(Problem p) { return p.samples() * p.outputWidth() * p.inputWidth() * p.bytesPerElement(); }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder();
        if (reverseSweeps > 0) sb.append("reverse ").append(reverseSweeps).append(" sweep(s) × ").append(reverseVectors).append(" vector(s)");
        if (forwardSweeps > 0) sb.append(sb.length() > 0 ? ", " : "").append("forward ").append(forwardSweeps).append(" sweep(s) × ").append(forwardVectors).append(" vector(s)");
        return sb + String.format(", peak %s, work %.3g forward passes [%s]", Bytes.format(peakBytes), work, formula);
    }
}
