package dev.jaclab.nd;

import static org.junit.jupiter.api.Assertions.*;

import dev.jaclab.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Attention's rules on factored tangents and cotangents equal the dense batched rules ({@link AttentionBatch}, itself
 * checked against forward and reverse mode) on the same values written out, in float64, for every kind of factor
 * alone and all together, whatever the block and sub-batch sizes.
 */
class AttentionTermsTest {
    static final long N = 7, M = 9, D = 4, W = 3, S = 5;
    static final double SCALE = 0.7;

    static Tensor rnd(long seed, long... shape) { return Tensor.randn(seed, shape).cast(DType.FLOAT64); }

    /** Two per-seed and one shared factor over {@code rows} rows of width {@code width}. */
    static List<AttentionTerms.Factor> factors(long seed, long rows, long width) {
        return List.of(new AttentionTerms.Factor(rnd(seed, S, rows).data(), rnd(seed + 1, S, width).data(), false),
                new AttentionTerms.Factor(rnd(seed + 2, S, rows).data(), rnd(seed + 3, S, width).data(), false),
                new AttentionTerms.Factor(rnd(seed + 4, S, rows).data(), rnd(seed + 5, rows, width).data(), true));
    }

    /** The factors' values written out, (S, rows, width); null for none. */
    static NdArray dense(List<AttentionTerms.Factor> fs) {
        Tensor out = null;
        for (AttentionTerms.Factor f : fs) {
            Tensor a = Tensor.wrap(f.a()), v = Tensor.wrap(f.f());
            Tensor d = a.reshape(a.size(0), a.size(1), 1).mul(f.shared() ? v.reshape(1, v.size(0), v.size(1)) : v.reshape(v.size(0), 1, v.size(1)));
            out = out == null ? d : out.add(d);
        }
        return out == null ? null : out.data();
    }

    static Tensor value(AttentionTerms.Part p, long rows, long width) {
        Tensor out = p.dense() == null ? Tensor.zeros(DType.FLOAT64, S, rows, width) : Tensor.wrap(p.dense());
        NdArray f = dense(p.factors());
        return f == null ? out : out.add(Tensor.wrap(f));
    }

    @ParameterizedTest @CsvSource({"9, 30", "20, 1000", "2097152, 16777216"})
    void jvpEqualsTheDenseRule(long block, long wide) {
        Tensor q = rnd(1, N, D), k = rnd(2, M, D), v = rnd(3, M, W);
        NdArray y = FusedAttention.forward(q.data(), k.data(), v.data(), SCALE, N);
        List<AttentionTerms.Factor> fq = factors(10, N, D), fk = factors(20, M, D), fv = factors(30, M, W);
        List<List<AttentionTerms.Factor>> cases = new ArrayList<>();
        for (int i = 0; i < 3; i++) cases.add(List.of(fq.get(i), fk.get(i), fv.get(i)));
        cases.add(List.of());
        for (int which = 0; which < 3; which++)
            for (List<AttentionTerms.Factor> pick : cases) {
                List<AttentionTerms.Factor> tq = which == 0 && !pick.isEmpty() ? List.of(pick.get(0)) : which == 0 ? fq : List.of(),
                        tk = which == 1 && !pick.isEmpty() ? List.of(pick.get(1)) : which == 1 ? fk : List.of(),
                        tv = which == 2 && !pick.isEmpty() ? List.of(pick.get(2)) : which == 2 ? fv : List.of();
                AttentionTerms.Part got = AttentionTerms.jvp(q.data(), k.data(), v.data(), y, tq, tk, tv, SCALE, block, wide);
                NdArray want = AttentionBatch.jvp(q.data(), k.data(), v.data(), y, dense(tq), dense(tk), dense(tv), SCALE);
                double diff = value(got, N, W).maxAbsDiff(Tensor.wrap(want));
                assertTrue(diff < 1e-12, "input " + "qkv".charAt(which) + ", " + tq.size() + tk.size() + tv.size() + " factors: " + diff);
            }
        AttentionTerms.Part all = AttentionTerms.jvp(q.data(), k.data(), v.data(), y, fq, fk, fv, SCALE, block, wide);
        NdArray want = AttentionBatch.jvp(q.data(), k.data(), v.data(), y, dense(fq), dense(fk), dense(fv), SCALE);
        assertTrue(value(all, N, W).maxAbsDiff(Tensor.wrap(want)) < 1e-12);
    }

    @ParameterizedTest @CsvSource({"9, 30", "20, 1000", "2097152, 16777216"})
    void vjpEqualsTheDenseRule(long block, long wide) {
        Tensor q = rnd(1, N, D), k = rnd(2, M, D), v = rnd(3, M, W);
        NdArray y = FusedAttention.forward(q.data(), k.data(), v.data(), SCALE, N);
        List<AttentionTerms.Factor> g = factors(40, N, W);
        for (List<AttentionTerms.Factor> pick : List.of(g, List.of(g.get(0)), List.of(g.get(2)), List.of(g.get(0), g.get(2)))) {
            AttentionTerms.Part[] got = AttentionTerms.vjp(q.data(), k.data(), v.data(), y, pick, SCALE, true, true, true, block, wide);
            NdArray[] want = AttentionBatch.vjp(q.data(), k.data(), v.data(), y, dense(pick), SCALE, true, true, true);
            long[][] shapes = {{N, D}, {M, D}, {M, W}};
            for (int i = 0; i < 3; i++) {
                double diff = value(got[i], shapes[i][0], shapes[i][1]).maxAbsDiff(Tensor.wrap(want[i]));
                assertTrue(diff < 1e-12, "cotangent of " + "qkv".charAt(i) + " from " + pick.size() + " factors: " + diff);
            }
            AttentionTerms.Part[] onlyK = AttentionTerms.vjp(q.data(), k.data(), v.data(), y, pick, SCALE, false, true, false, block, wide);
            assertNull(onlyK[0]);
            assertNull(onlyK[2]);
            assertTrue(value(onlyK[1], M, D).maxAbsDiff(Tensor.wrap(want[1])) < 1e-12);
        }
    }

    /** Row weights (s, rows) in runs of k equal rows. */
    static NdArray inRuns(long seed, long s, long k, long rows) {
        long[] runs = new long[(int) s];
        for (int i = 0; i < s; i++) runs[i] = i / k;
        return rnd(seed, s / k, rows).indexSelect(0, runs).data();
    }

    /** Seeds of one sample often share row weights (a softmax row or column): runs of k equal rows, k = 1, 2, 3, 6. */
    @ParameterizedTest @CsvSource({"1, 9, 30", "2, 9, 40", "3, 20, 1000", "6, 2097152, 16777216"})
    void seedsSharingRowWeightsGiveTheSameValues(long k, long block, long wide) {
        long s = 6;
        Tensor q = rnd(1, N, D), k1 = rnd(2, M, D), v = rnd(3, M, W);
        NdArray y = FusedAttention.forward(q.data(), k1.data(), v.data(), SCALE, N);
        java.util.function.BiFunction<Long, Long, NdArray> grouped = (seed, rows) -> inRuns(seed, s, k, rows);
        AttentionTerms.Factor kf = new AttentionTerms.Factor(grouped.apply(50L, M), rnd(51, s, D).data(), false),
                kf2 = new AttentionTerms.Factor(rnd(52, s, M).data(), rnd(53, s, D).data(), false);
        assertEquals(k, AttentionTerms.group(kf.a().a));
        AttentionTerms.Part got = AttentionTerms.jvp(q.data(), k1.data(), v.data(), y, List.of(), List.of(kf, kf2), List.of(), SCALE, block, wide);
        NdArray want = AttentionBatch.jvp(q.data(), k1.data(), v.data(), y, null, dense(List.of(kf, kf2)), null, SCALE);
        Tensor have = Tensor.wrap(got.dense()).add(Tensor.wrap(dense(got.factors())));
        assertTrue(have.maxAbsDiff(Tensor.wrap(want)) < 1e-12, "jvp, runs of " + k + ": " + have.maxAbsDiff(Tensor.wrap(want)));
        AttentionTerms.Factor gf = new AttentionTerms.Factor(grouped.apply(60L, N), rnd(61, s, W).data(), false);
        AttentionTerms.Part[] back = AttentionTerms.vjp(q.data(), k1.data(), v.data(), y, List.of(gf), SCALE, true, true, true, block, wide);
        NdArray[] wantBack = AttentionBatch.vjp(q.data(), k1.data(), v.data(), y, dense(List.of(gf)), SCALE, true, true, true);
        long[][] shapes = {{N, D}, {M, D}, {M, W}};
        for (int i = 0; i < 3; i++) {
            AttentionTerms.Part p = back[i];
            Tensor val = p.dense() == null ? Tensor.zeros(DType.FLOAT64, s, shapes[i][0], shapes[i][1]) : Tensor.wrap(p.dense());
            if (!p.factors().isEmpty()) val = val.add(Tensor.wrap(dense(p.factors())));
            assertTrue(val.maxAbsDiff(Tensor.wrap(wantBack[i])) < 1e-12, "vjp input " + i + ", runs of " + k);
        }
    }

    /**
     * Value factors with the very row weights of key factors (one tangent through the layer's three linear maps): their
     * P·a comes from the key factors' wide product — grouped seeds and not, with block and sub-batch remainders.
     */
    @ParameterizedTest @CsvSource({"1, 9, 30", "3, 9, 40", "3, 20, 1000", "2, 2097152, 16777216"})
    void valueFactorsSharingKeyRowWeightsGiveTheSameValues(long k, long block, long wide) {
        long s = 6;
        Tensor q = rnd(1, N, D), k1 = rnd(2, M, D), v = rnd(3, M, W);
        NdArray y = FusedAttention.forward(q.data(), k1.data(), v.data(), SCALE, N);
        NdArray grouped = inRuns(70, s, k, M), plain = rnd(71, s, M).data();
        List<AttentionTerms.Factor> fk = List.of(new AttentionTerms.Factor(grouped, rnd(72, s, D).data(), false),
                new AttentionTerms.Factor(plain, rnd(73, s, D).data(), false));
        List<AttentionTerms.Factor> fv = List.of(new AttentionTerms.Factor(plain, rnd(74, s, W).data(), false),
                new AttentionTerms.Factor(grouped, rnd(75, s, W).data(), false), new AttentionTerms.Factor(rnd(76, s, M).data(), rnd(77, s, W).data(), false));
        AttentionTerms.Part got = AttentionTerms.jvp(q.data(), k1.data(), v.data(), y, List.of(), fk, fv, SCALE, block, wide);
        NdArray want = AttentionBatch.jvp(q.data(), k1.data(), v.data(), y, null, dense(fk), dense(fv), SCALE);
        Tensor have = Tensor.wrap(got.dense()).add(Tensor.wrap(dense(got.factors())));
        assertTrue(have.maxAbsDiff(Tensor.wrap(want)) < 1e-12, "runs of " + k + ": " + have.maxAbsDiff(Tensor.wrap(want)));
    }

    @Test void float32FollowsFloat64() {
        Tensor q = rnd(1, N, D), k = rnd(2, M, D), v = rnd(3, M, W);
        NdArray y = FusedAttention.forward(q.data(), k.data(), v.data(), SCALE, N);
        List<AttentionTerms.Factor> fk = factors(20, M, D), f32 = new ArrayList<>();
        for (AttentionTerms.Factor f : fk) f32.add(new AttentionTerms.Factor(f.a().cast(DType.FLOAT32), f.f().cast(DType.FLOAT32), f.shared()));
        AttentionTerms.Part p64 = AttentionTerms.jvp(q.data(), k.data(), v.data(), y, List.of(), fk, List.of(), SCALE);
        AttentionTerms.Part p32 = AttentionTerms.jvp(q.data().cast(DType.FLOAT32), k.data().cast(DType.FLOAT32), v.data().cast(DType.FLOAT32),
                y.cast(DType.FLOAT32), List.of(), f32, List.of(), SCALE);
        assertEquals(DType.FLOAT32, p32.dense().dtype());
        assertTrue(value(p32, N, W).cast(DType.FLOAT64).maxAbsDiff(value(p64, N, W)) < 1e-4);
    }

    @Test void mismatchedFactorsNameTheShapes() {
        Tensor q = rnd(1, N, D), k = rnd(2, M, D), v = rnd(3, M, W);
        NdArray y = FusedAttention.forward(q.data(), k.data(), v.data(), SCALE, N);
        var bad = List.of(new AttentionTerms.Factor(rnd(1, S, N).data(), rnd(2, S, D).data(), false));      // k has M rows, not N
        var e = assertThrows(IllegalArgumentException.class, () -> AttentionTerms.jvp(q.data(), k.data(), v.data(), y, List.of(), bad, List.of(), SCALE));
        assertTrue(e.getMessage().contains("(5,7)") && e.getMessage().contains("9 rows"), e.getMessage());
    }
}
