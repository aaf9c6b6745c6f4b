package dev.jaclab.autodiff;

import dev.jaclab.nd.DType;
import dev.jaclab.nd.NdArray;
import dev.jaclab.tensor.CustomPrimitive;
import dev.jaclab.tensor.ForwardLaplacian;
import dev.jaclab.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The gradient-check table: at least one row per primitive class (by simple name), each exercising the primitive
 * through the public Tensor API on a valid input domain, broadcast shapes included.
 */
final class PrimitiveRows {
    private PrimitiveRows() {}

    /** One row: the primitive it targets, a label, the function of the checked inputs, the primal inputs. */
    record Row(String primitive, String label, Function<Tensor[], Tensor> f, Tensor[] inputs, GradCheck.Options options) {
        @Override public String toString() { return primitive + " / " + label; }
    }

    static Tensor randn(long seed, long... shape) { return Tensor.wrap(NdArray.random(DType.FLOAT64, seed, true, shape)); }

    /** Uniform in [lo, hi). */
    static Tensor uniform(long seed, double lo, double hi, long... shape) {
        return Tensor.wrap(NdArray.random(DType.FLOAT64, seed, false, shape)).mul(hi - lo).add(lo);
    }

    /** A 0/1 mask with both values present. */
    static Tensor mask(long... shape) { return uniform(99, 0, 1, shape).gt(0.5); }

    static List<Row> all() {
        GradCheck.Options d = GradCheck.Options.defaults();
        List<Row> r = new ArrayList<>();
        // elementwise unary
        r.add(row("Neg", "neg", x -> x[0].neg(), d, randn(1, 3, 4)));
        r.add(row("Exp", "exp", x -> x[0].exp(), d, randn(2, 3, 4)));
        r.add(row("Log", "log on (0.5, 2)", x -> x[0].log(), d, uniform(3, 0.5, 2, 3, 4)));
        r.add(row("Sin", "sin", x -> x[0].sin(), d, randn(4, 3, 4)));
        r.add(row("Cos", "x·cos x", x -> x[0].cos().mul(x[0]), d, randn(41, 2, 3)));
        r.add(row("Cos", "cos", x -> x[0].cos(), d, randn(42, 3, 4)));
        r.add(row("Tanh", "tanh", x -> x[0].tanh(), d, randn(5, 3, 4)));
        r.add(row("OneMinusSquare", "tanh' = 1 - tanh², second order", x -> {
            Tensor z = x[0].isRequiresGrad() ? x[0] : x[0].detach().requiresGrad(), y = z.tanh();
            return Autograd.grad(new Tensor[]{y}, new Tensor[]{z}, new Tensor[]{Tensor.ones(3, 4).cast(DType.FLOAT64)},
                    Autograd.Options.defaults().createGraph(true))[0];
        }, d, randn(43, 3, 4)));
        r.add(row("PowScalar", "pow 2.5 on (0.5, 2)", x -> x[0].pow(2.5), d, uniform(6, 0.5, 2, 3, 4)));
        r.add(row("PowScalar", "square", x -> x[0].square(), d, randn(7, 3, 4)));
        r.add(row("PowScalar", "reciprocal on (0.5, 2)", x -> x[0].reciprocal(), d, uniform(8, 0.5, 2, 3, 4)));
        // broadcasting binary
        r.add(row("Add", "(3,4) + (4,)", x -> x[0].add(x[1]), d, randn(10, 3, 4), randn(11, 4)));
        r.add(row("Add", "(3,1) + (1,4)", x -> x[0].add(x[1]).sin(), d, randn(12, 3, 1), randn(13, 1, 4)));
        r.add(row("Sub", "(2,3,4) - (3,1)", x -> x[0].sub(x[1]), d, randn(14, 2, 3, 4), randn(15, 3, 1)));
        r.add(row("Mul", "(3,4) * (3,1)", x -> x[0].mul(x[1]), d, randn(16, 3, 4), randn(17, 3, 1)));
        r.add(row("Mul", "x * x", x -> x[0].mul(x[0]), d, randn(18, 3, 4)));
        r.add(row("Div", "(3,4) / (4,) on (0.5, 2)", x -> x[0].div(x[1]), d, randn(19, 3, 4), uniform(20, 0.5, 2, 4)));
        r.add(row("Div", "scalar / (2,3)", x -> x[0].div(x[1]), d, randn(21), uniform(22, 0.5, 2, 2, 3)));
        Tensor m = mask(3, 4);
        r.add(row("Where", "mask (3,4), a (3,4), b (4,)", x -> Tensor.where(m, x[0], x[1]), d, randn(23, 3, 4), randn(24, 4)));
        r.add(row("Where", "maximum", x -> x[0].maximum(x[1]), d, randn(25, 3, 4), randn(26, 3, 4)));
        // linear algebra
        r.add(row("Matmul", "(3,4) @ (4,2)", x -> x[0].matmul(x[1]), d, randn(30, 3, 4), randn(31, 4, 2)));
        r.add(row("Matmul", "(2,3,4) @ (4,2)", x -> x[0].matmul(x[1]), d, randn(32, 2, 3, 4), randn(33, 4, 2)));
        r.add(row("Matmul", "(3,4) @ (2,4,2)", x -> x[0].matmul(x[1]), d, randn(34, 3, 4), randn(35, 2, 4, 2)));
        r.add(row("Matmul", "(2,1,3,4) @ (3,4,2)", x -> x[0].matmul(x[1]), d, randn(36, 2, 1, 3, 4), randn(37, 3, 4, 2)));
        r.add(row("Matmul", "(4,) @ (4,2) and (3,4) @ (4,)", x -> x[0].matmul(x[1]).add(x[1].mT().matmul(x[0]).sum()), d,
                randn(38, 4), randn(39, 4, 2)));
        r.add(row("Affine", "(3,4) @ (4,2) + (2,)", x -> x[0].affine(x[1], x[2]), d, randn(40, 3, 4), randn(41, 4, 2), randn(42, 2)));
        r.add(row("Affine", "(2,3,4) @ (4,2) + (3,2)", x -> x[0].affine(x[1], x[2]), d, randn(43, 2, 3, 4), randn(44, 4, 2), randn(45, 3, 2)));
        r.add(row("Affine", "(3,4) @ (2,4,2) + (1,2)", x -> x[0].affine(x[1], x[2]), d, randn(46, 3, 4), randn(47, 2, 4, 2), randn(48, 1, 2)));
        r.add(row("Affine", "(3,4) @ (4,2) + (3,2) tanh", x -> x[0].affine(x[1], x[2]).tanh(), d, randn(49, 3, 4), randn(50, 4, 2), randn(51, 3, 2)));
        r.add(row("Fused", "attention q (4,3), k (5,3), v (5,2)", x -> Tensor.attention(x[0], x[1], x[2], 0.7), d,
                randn(80, 4, 3), randn(81, 5, 3), randn(82, 5, 2)));
        r.add(row("Fused", "attention with broadcast batch dims", x -> Tensor.attention(x[0], x[1], x[2], 0.5), d,
                randn(83, 2, 3, 2), randn(84, 4, 2), randn(85, 2, 4, 3)));
        // reductions
        r.add(row("Sum", "dim 1", x -> x[0].sum(1), d, randn(40, 3, 4)));
        r.add(row("Sum", "dims {0,2} keepDim", x -> x[0].sum(new int[]{0, 2}, true), d, randn(42, 2, 3, 4)));
        r.add(row("Sum", "all", x -> x[0].sum(), d, randn(43, 3, 4)));
        r.add(row("Extreme", "max dim 1", x -> x[0].max(new int[]{1}, false), d, randn(44, 3, 4)));
        r.add(row("Extreme", "min dim 0 keepDim", x -> x[0].min(new int[]{0}, true), d, randn(45, 3, 4)));
        r.add(row("Extreme", "max all", x -> x[0].max(), d, randn(46, 3, 4)));
        r.add(row("Exp", "softmax dim 1 (composite)", x -> x[0].softmax(1), d, randn(47, 3, 4)));
        // shape ops
        r.add(row("Reshape", "(3,4) -> (2,6)", x -> x[0].reshape(2, 6).sin(), d, randn(50, 3, 4)));
        r.add(row("Permute", "permute(2,0,1)", x -> x[0].permute(2, 0, 1), d, randn(51, 2, 3, 4)));
        r.add(row("Permute", "transpose", x -> x[0].transpose(0, 1).mul(x[1]), d, randn(52, 3, 4), randn(53, 4, 3)));
        r.add(row("Expand", "(3,1) -> (2,3,4)", x -> x[0].expand(2, 3, 4).mul(x[1]), d, randn(54, 3, 1), randn(55, 2, 3, 4)));
        r.add(row("Narrow", "dim 1 [1,3)", x -> x[0].narrow(1, 1, 2), d, randn(56, 3, 4)));
        r.add(row("Narrow", "select dim 0", x -> x[0].select(0, 2), d, randn(57, 3, 4)));
        r.add(row("PadNarrow", "VJP of narrow, second order", x -> {
            Tensor inner = Tensor.zeros(DType.FLOAT64, 3, 4).requiresGrad();
            return Autograd.grad(new Tensor[]{inner.narrow(1, 1, 2)}, new Tensor[]{inner}, new Tensor[]{x[0]},
                    Autograd.Options.defaults().createGraph(true))[0];
        }, d, randn(58, 3, 2)));
        // fused ops of the second-order rules, reached through tanh's forward Laplacian
        Tensor directions = randn(102, 2, 3, 4);
        r.add(row("SumOfSquares", "forward Laplacian of tanh(x²), 2 directions", x -> ForwardLaplacian.of(x[0].square().tanh(), x[0], directions), d, randn(103, 3, 4)));
        r.add(row("ScaledMul", "forward Laplacian of a·tanh(x) (tanh's −2h·|t|² and the product's 2·t_a·t_b)",
                x -> ForwardLaplacian.of(x[0].mul(x[0].tanh()), x[0], directions), d, randn(104, 3, 4)));
        r.add(row("IndexSelect", "dim 1 with repeats", x -> x[0].indexSelect(1, 2, 0, 2), d, randn(59, 3, 4)));
        r.add(row("IndexSelect", "dim 0", x -> x[0].indexSelect(0, 1, 1, 0), d, randn(60, 3, 4)));
        r.add(row("ScatterAdd", "dim 1 with repeats", x -> x[0].scatterAdd(1, new long[]{2, 0, 2}, 4), d, randn(61, 3, 3)));
        r.add(row("ScatterAdd", "dim 0", x -> x[0].scatterAdd(0, new long[]{1, 3}, 4), d, randn(62, 2, 3)));
        r.add(row("Concat", "concat dim 1", x -> Tensor.concat(1, x[0], x[1]), d, randn(63, 3, 2), randn(64, 3, 4)));
        r.add(row("Concat", "stack dim 0", x -> Tensor.stack(0, x[0], x[1].sin()), d, randn(65, 3, 4), randn(66, 3, 4)));
        r.add(row("Diagonal", "(2,3,3)", x -> x[0].diagonal(), d, randn(67, 2, 3, 3)));
        r.add(row("DiagEmbed", "(2,3)", x -> x[0].diagEmbed(), d, randn(68, 2, 3)));
        r.add(row("Cast", "float64 -> float32 -> float64", x -> x[0].cast(DType.FLOAT32).sin().cast(DType.FLOAT64),
                d.eps(1e-2).tol(2e-4), randn(69, 3, 4)));
        // user-defined: hand-written rules for a·sin(b), b broadcast over a's rows
        CustomPrimitive aSinB = Tensor.function("aSinB", x -> x[0].mul(x[1].sin()),
                (g, x, y) -> new Tensor[]{g.mul(x[1].sin()), g.mul(x[0]).mul(x[1].cos()).sum(new int[]{0}, false)},
                (t, x, y) -> t[0].mul(x[1].sin()).add(x[0].mul(x[1].cos()).mul(t[1]))).perSample(true, false);
        r.add(row("CustomPrimitive", "a (3,4) · sin(b (4,)), hand-written rules", x -> aSinB.apply(x[0], x[1]), d, randn(90, 3, 4), randn(91, 4)));
        // batch levels
        r.add(row("ToBatch", "toBatch, per-level sin, toLogical", x -> {
            int level = Tensor.newLevel();
            return x[0].toBatch(level).sin().mul(x[1]).toLogical(level, x[0].size(0));
        }, d, randn(70, 3, 4), randn(71, 4)));
        r.add(row("ToLogical", "broadcast to a new logical dim", x -> x[0].toLogical(Tensor.newLevel(), 3).mul(x[1]), d,
                randn(72, 4), randn(73, 3, 4)));
        return r;
    }

    private static Row row(String primitive, String label, Function<Tensor[], Tensor> f, GradCheck.Options o, Tensor... in) {
        return new Row(primitive, label, f, in, o);
    }
}
