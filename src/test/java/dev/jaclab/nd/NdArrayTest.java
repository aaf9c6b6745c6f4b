package dev.jaclab.nd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** NdArray against hand-written loops, and every op on a strided (transposed) view against a contiguous copy. */
class NdArrayTest {
    static final DType F64 = DType.FLOAT64;

    static NdArray rand(long seed, long... shape) { return NdArray.random(F64, seed, true, shape); }

    static void assertClose(NdArray expected, NdArray actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), tol);
    }

    /** Naive batched matmul over the last two dims with broadcast batch dims, via flat indexing. */
    static NdArray naiveMatmul(NdArray p, NdArray q) {
        long[] ps = p.shape(), qs = q.shape();
        long i = ps[ps.length - 2], k = ps[ps.length - 1], j = qs[qs.length - 1];
        long[] batch = Shapes.broadcast("matmul", Shapes.prefix(ps, ps.length - 2), Shapes.prefix(qs, qs.length - 2));
        double[] a = p.broadcastTo(Shapes.concat(batch, new long[]{i, k})).toDoubleArray();
        double[] b = q.broadcastTo(Shapes.concat(batch, new long[]{k, j})).toDoubleArray();
        int nb = (int) Shapes.numel(batch);
        double[] out = new double[(int) (nb * i * j)];
        for (int n = 0; n < nb; n++)
            for (int r = 0; r < i; r++)
                for (int c = 0; c < j; c++) {
                    double s = 0;
                    for (int t = 0; t < k; t++) s += a[(int) (n * i * k + r * k + t)] * b[(int) (n * k * j + t * j + c)];
                    out[(int) (n * i * j + r * j + c)] = s;
                }
        return NdArray.fromDoubles(F64, out, Shapes.concat(batch, new long[]{i, j}));
    }

    @Test void matmulMatchesLoopsOnEveryPath() {
        long[][][] cases = {{{3, 4}, {4, 5}}, {{2, 3, 4}, {4, 5}}, {{3, 4}, {2, 4, 5}}, {{2, 1, 3, 4}, {3, 4, 5}},
                {{2, 3, 4}, {2, 4, 5}}, {{1, 3, 4}, {1, 4, 2}}};
        int seed = 0;
        for (long[][] c : cases) {
            NdArray p = rand(seed++, c[0]), q = rand(seed++, c[1]);
            assertClose(naiveMatmul(p, q), p.matmul(q), 1e-12);
        }
    }

    @Test void broadcastingArithmetic() {
        NdArray a = NdArray.fromDoubles(F64, new double[]{1, 2, 3, 4, 5, 6}, 2, 3), b = NdArray.fromDoubles(F64, new double[]{10, 20, 30}, 3);
        assertArrayEquals(new double[]{11, 22, 33, 14, 25, 36}, a.add(b).toDoubleArray());
        NdArray col = NdArray.fromDoubles(F64, new double[]{1, 2}, 2, 1);
        assertArrayEquals(new double[]{0, 1, 2, 2, 3, 4}, a.sub(col).toDoubleArray());
        assertArrayEquals(new double[]{2, 4, 6, 8, 10, 12}, a.mul(NdArray.scalar(F64, 2)).toDoubleArray());
        assertArrayEquals(new double[]{3}, NdArray.scalar(F64, 6).div(NdArray.scalar(F64, 2)).toDoubleArray());
        assertEquals(DType.FLOAT64, NdArray.zeros(DType.FLOAT32, 2).add(NdArray.zeros(F64, 2)).dtype());
        assertThrows(IllegalArgumentException.class, () -> a.add(NdArray.zeros(F64, 2)));
    }

    @Test void indexSelectScatterAndDiagonals() {
        NdArray a = NdArray.fromDoubles(F64, new double[]{1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new double[]{3, 1, 3, 6, 4, 6}, a.indexSelect(1, new long[]{2, 0, 2}).toDoubleArray());
        // scatterAdd adds repeated indices; narrow then padNarrow keeps the slice in place
        assertArrayEquals(new double[]{0, 2, 0, 0, 5, 0}, a.narrow(1, 1, 1).padNarrow(1, 1, 3).toDoubleArray());
        assertArrayEquals(new double[]{0, 0, 4, 0, 0, 10}, a.indexSelect(1, new long[]{0, 2}).scatterAdd(1, new long[]{2, 2}, 3).toDoubleArray());
        assertArrayEquals(new double[]{0, 0, 0, 1, 2, 3, 4, 5, 6, 0, 0, 0}, a.padNarrow(0, 1, 4).toDoubleArray());
        NdArray sq = NdArray.fromDoubles(F64, new double[]{1, 2, 3, 4}, 2, 2);
        assertArrayEquals(new double[]{1, 4}, sq.diagonal().toDoubleArray());
        assertArrayEquals(new double[]{1, 0, 0, 4}, sq.diagonal().diagEmbed().toDoubleArray());
        assertArrayEquals(new long[]{2, 3, 3}, a.diagEmbed().shape());
    }

    /** Every op applied to a lazily transposed matrix equals the op on a contiguous copy of it. */
    @TestFactory Stream<DynamicTest> opsOnTransposedViewsMatchContiguousCopies() {
        NdArray m = rand(1, 3, 4), view = m.permute(1, 0), copy = NdArray.fromDoubles(F64, view.toDoubleArray(), 4, 3);
        NdArray row = rand(2, 3), col = rand(3, 4, 1), sq = rand(4, 4, 4);
        Object[][] ops = {
                {"add row", (UnaryOperator<NdArray>) x -> x.add(row)}, {"sub col", (UnaryOperator<NdArray>) x -> x.sub(col)},
                {"mul self", (UnaryOperator<NdArray>) x -> x.mul(x)}, {"div scalar", (UnaryOperator<NdArray>) x -> x.div(NdArray.scalar(F64, 3))},
                {"add view+copy", (UnaryOperator<NdArray>) x -> x.add(copy)}, {"add double", (UnaryOperator<NdArray>) x -> x.add(1.5)},
                {"neg exp sin tanh", (UnaryOperator<NdArray>) x -> x.neg().exp().sin().tanh()}, {"pow 3", (UnaryOperator<NdArray>) x -> x.pow(3)},
                {"compare ge", (UnaryOperator<NdArray>) x -> x.compare("ge", row)}, {"where", (UnaryOperator<NdArray>) x -> NdArray.where(x.compare("gt", col), x, row)},
                {"sum dim 0", (UnaryOperator<NdArray>) x -> x.sum(new int[]{0}, true)}, {"sum dim 1", (UnaryOperator<NdArray>) x -> x.sum(new int[]{1}, false)},
                {"max dim 0", (UnaryOperator<NdArray>) x -> x.max(new int[]{0}, false)}, {"min all", (UnaryOperator<NdArray>) x -> x.min(new int[]{0, 1}, false)},
                {"reshape", (UnaryOperator<NdArray>) x -> x.reshape(2, 6)}, {"reshape flat", (UnaryOperator<NdArray>) x -> x.reshape(12)},
                {"broadcastTo", (UnaryOperator<NdArray>) x -> x.broadcastTo(2, 4, 3)}, {"permute back", (UnaryOperator<NdArray>) x -> x.permute(1, 0)},
                {"narrow", (UnaryOperator<NdArray>) x -> x.narrow(0, 1, 2)}, {"padNarrow", (UnaryOperator<NdArray>) x -> x.padNarrow(1, 1, 5)},
                {"indexSelect dim 0", (UnaryOperator<NdArray>) x -> x.indexSelect(0, new long[]{3, 0, 3})}, {"indexSelect dim 1", (UnaryOperator<NdArray>) x -> x.indexSelect(1, new long[]{2, 1})},
                {"scatterAdd dim 0", (UnaryOperator<NdArray>) x -> x.scatterAdd(0, new long[]{1, 1, 0, 4}, 5)},
                {"scatterAdd dim 1", (UnaryOperator<NdArray>) x -> x.scatterAdd(1, new long[]{0, 2, 2}, 3)},
                {"concat", (UnaryOperator<NdArray>) x -> NdArray.concat(0, x, copy)}, {"diagEmbed", (UnaryOperator<NdArray>) NdArray::diagEmbed},
                {"matmul left", (UnaryOperator<NdArray>) x -> x.matmul(m)}, {"matmul right", (UnaryOperator<NdArray>) x -> sq.matmul(x)},
                {"matmul both", (UnaryOperator<NdArray>) x -> x.matmul(x.permute(1, 0))}, {"matmul batched right", (UnaryOperator<NdArray>) x -> x.matmul(rand(5, 2, 3, 2))},
                {"leading 1 then matmul batched right", (UnaryOperator<NdArray>) x -> x.reshape(1, 4, 3).matmul(rand(5, 2, 3, 2))},
                {"leading ones and back", (UnaryOperator<NdArray>) x -> x.reshape(1, 1, 4, 3).reshape(4, 3).add(row)},
                {"cast", (UnaryOperator<NdArray>) x -> x.cast(DType.FLOAT32).cast(F64)}};
        return Stream.of(ops).map(o -> DynamicTest.dynamicTest((String) o[0], () -> {
            @SuppressWarnings("unchecked") UnaryOperator<NdArray> f = (UnaryOperator<NdArray>) o[1];
            assertClose(f.apply(copy), f.apply(view), 1e-12);
        }));
    }

    /** A weight's transpose given a batch level (a leading 1) stays a view of the weight: no copy of the matrix. */
    @Test void transposeWithLeadingOnesSharesTheMatrix() {
        NdArray m = rand(1, 3, 4), t = m.permute(1, 0).reshape(1, 4, 3);
        InPlace.fill(m, 2.5);
        assertEquals(2.5, t.reshape(4, 3).toDoubleArray()[7], 0, "the view sees the weight's values");
        NdArray q = rand(2, 5, 3, 2), z = t.matmul(q);
        assertClose(naiveMatmul(NdArray.fromDoubles(F64, t.toDoubleArray(), 4, 3), q), z, 1e-12);
    }

    @Test void sumsOverLeadingTrailingAndMixedDimsMatchLoops() {
        NdArray x = rand(7, 2, 3, 4);
        double[] v = x.toDoubleArray();
        double[] lead = new double[4], lead2 = new double[12], trail = new double[6], mid = new double[8];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++) {
                    double e = v[i * 12 + j * 4 + k];
                    lead[k] += e;
                    lead2[j * 4 + k] += e;
                    trail[i * 3 + j] += e;
                    mid[i * 4 + k] += e;
                }
        assertClose(NdArray.fromDoubles(F64, lead, 4), x.sum(new int[]{1, 0}, false), 1e-12);
        assertClose(NdArray.fromDoubles(F64, lead, 1, 1, 4), x.sum(new int[]{0, 1}, true), 1e-12);
        assertClose(NdArray.fromDoubles(F64, lead2, 1, 3, 4), x.sum(new int[]{0}, true), 1e-12);
        assertClose(NdArray.fromDoubles(F64, trail, 2, 3), x.sum(new int[]{2}, false), 1e-12);
        assertClose(NdArray.fromDoubles(F64, mid, 2, 1, 4), x.sum(new int[]{1}, true), 1e-12);
        assertClose(NdArray.fromDoubles(DType.FLOAT32, lead, 4), x.cast(DType.FLOAT32).sum(new int[]{0, 1}, false), 1e-5);
        assertClose(NdArray.fromDoubles(F64, trail, 2, 3).sum(new int[]{0}, false), x.narrow(2, 0, 4).sum(new int[]{0, 2}, false), 1e-12);
    }

    @Test void squareMatrixTransposeKeepsDiagonal() {
        NdArray s = rand(6, 4, 4);
        assertClose(s.diagonal(), s.permute(1, 0).diagonal(), 0);
    }

    /** Index of a row-major position in {@code shape}. */
    static long[] unravel(long flat, long[] shape) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    /**
     * add, sub, mul, div between operands broadcast against each other — through the Java loop (short last dims whose
     * merged run is long, either operand broadcast) and through ND4J (short merged runs, long rows) — equal the same
     * IEEE operation in the dtype, element by element.
     */
    @Test void broadcastArithmeticMatchesIndexArithmeticInTheDtype() {
        long[][][] cases = {{{3, 40, 3}, {1, 40, 3}}, {{1, 1000, 3}, {3, 1000, 3}}, {{3, 40, 3}, {3, 1, 1}}, {{2, 3, 50, 2}, {2, 1, 50, 2}},
                {{40, 3}, {40, 1}}, {{20, 64}, {1, 64}}, {{2, 1, 9, 5}, {1, 4, 9, 5}}};
        String[] ops = {"add", "sub", "mul", "div"};
        for (DType t : DType.values())
            for (long[][] c : cases) {
                NdArray x = NdArray.random(t, 11, true, c[0]), y = NdArray.random(t, 12, true, c[1]);
                long[] out = Shapes.broadcast("test", c[0], c[1]);
                double[] xv = x.broadcastTo(out).toDoubleArray(), yv = y.broadcastTo(out).toDoubleArray();
                for (String op : ops) {
                    NdArray z = switch (op) { case "add" -> x.add(y); case "sub" -> x.sub(y); case "mul" -> x.mul(y); default -> x.div(y); };
                    assertArrayEquals(out, z.shape(), op + " shape");
                    double[] zv = z.toDoubleArray();
                    for (int i = 0; i < zv.length; i++) {
                        double expect = t == DType.FLOAT32 ? floatOp(op, (float) xv[i], (float) yv[i]) : doubleOp(op, xv[i], yv[i]);
                        assertEquals(expect, zv[i], 0, op + " " + t + " " + Shapes.str(c[0]) + " with " + Shapes.str(c[1]) + " at " + i);
                    }
                }
            }
    }

    private static float floatOp(String op, float a, float b) {
        return switch (op) { case "add" -> a + b; case "sub" -> a - b; case "mul" -> a * b; default -> a / b; };
    }

    private static double doubleOp(String op, double a, double b) {
        return switch (op) { case "add" -> a + b; case "sub" -> a - b; case "mul" -> a * b; default -> a / b; };
    }

    /** Broadcasts and permutations (the strided-copy kernel: short rows, long rows, split blocks) match index arithmetic. */
    @Test void broadcastAndPermuteMatchIndexArithmetic() {
        for (DType t : DType.values()) {
            long[][][] cases = {{{3, 1, 3}, {3, 700, 3}}, {{1, 40}, {300, 40}}, {{5, 1}, {5, 33}}, {{2, 1, 4, 1}, {2, 3, 4, 5}}, {{7}, {2, 3, 7}},
                    {{}, {4, 2}}, {{1, 1}, {1, 1}}};
            for (long[][] c : cases) {
                NdArray src = NdArray.random(t, 3, true, c[0]);
                NdArray out = src.broadcastTo(c[1]);
                assertEquals(t, out.dtype());
                double[] sv = src.toDoubleArray(), ov = out.toDoubleArray();
                long[] padded = Shapes.padLeft(c[0], c[1].length);
                for (int f = 0; f < ov.length; f++) {
                    long[] idx = unravel(f, c[1]);
                    long at = 0;
                    for (int d = 0; d < idx.length; d++) at = at * padded[d] + (padded[d] == 1 ? 0 : idx[d]);
                    assertEquals(sv[(int) at], ov[f], 0, "broadcast " + Shapes.str(c[0]) + " → " + Shapes.str(c[1]) + " at " + f);
                }
            }
            long[][] shapes = {{3, 500, 3}, {4, 5, 6, 7}, {2, 3, 40}, {600, 70}};
            int[][][] perms = {{{1, 0, 2}, {2, 0, 1}, {0, 2, 1}}, {{3, 1, 0, 2}, {0, 1, 3, 2}, {1, 0, 2, 3}}, {{1, 0, 2}, {2, 1, 0}}, {{1, 0}}};
            for (int s = 0; s < shapes.length; s++)
                for (int[] perm : perms[s]) {
                    NdArray src = NdArray.random(t, 5, true, shapes[s]), out = src.permute(perm);
                    double[] sv = src.toDoubleArray(), ov = out.toDoubleArray();
                    long[] os = out.shape(), strides = new long[perm.length];
                    for (int d = shapes[s].length - 1, acc = 1; d >= 0; acc *= shapes[s][d], d--) strides[d] = acc;
                    for (int f = 0; f < ov.length; f++) {
                        long[] idx = unravel(f, os);
                        long at = 0;
                        for (int d = 0; d < idx.length; d++) at += idx[d] * strides[perm[d]];
                        assertEquals(sv[(int) at], ov[f], 0, "permute " + java.util.Arrays.toString(perm) + " of " + Shapes.str(shapes[s]));
                    }
                }
        }
    }
}
