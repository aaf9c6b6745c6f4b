package dev.jaclab.tensor;

import dev.jaclab.nd.DType;
import dev.jaclab.nd.NdArray;
import dev.jaclab.nd.Shapes;

/** Elementwise primitives (unary and broadcasting binary). Each class is one primitive with all its rules. */
final class Elementwise {
    private Elementwise() {}

    /** Unary elementwise op y = f(x): VJP g·f'(x), JVP t·f'(x) — each op states f and f' only. */
    abstract static class Unary extends Primitive implements SecondOrderJvp {
        @Override protected long[] shape(long[][] in) { return in[0]; }

        /** f''(x)·Σ_a t_a². */
        @Override public Tensor secondOrder(Tensor[] t, Node n, int level, long size) {
            return secondDerivative(n, derivative(n)).mul(SecondOrderJvp.sumOfSquaresOverDirections(t[0], level, size));
        }

        /** t·f′, l·f′ + f″·Σ_a t_a², with f′ computed once. */
        @Override public Tensor[] forwardLaplacian(Tensor[] t, Tensor[] l, Node n, int level, long size) {
            Tensor d = derivative(n);
            Tensor second = secondDerivative(n, d).mul(SecondOrderJvp.sumOfSquaresOverDirections(t[0], level, size));
            return new Tensor[]{t[0].mul(d), l[0] == null ? second : l[0].mul(d).add(second)};
        }

        /**
         * f″(x) given f′(x) = {@code d}: by default the JVP of f′ along ones (one small forward sweep); ops with a short
         * closed form override it.
         */
        Tensor secondDerivative(Node n, Tensor d) {
            Tensor ones = Tensor.full(1, x(n).shape()).cast(x(n).dtype());
            return ForwardSweep.jvp(new Tensor[]{d}, new Tensor[]{x(n)}, new Tensor[]{ones}, GradMode.isEnabled())[0];
        }

        @Override public boolean perSample(Node n, int input) { return true; }

        @Override public boolean positionwise(Node n, int input) { return sameShapeAsOutput(n, input); }

        /** f'(x) as a tensor (written with Tensor ops, so differentiable again). */
        abstract Tensor derivative(Node n);

        @Override protected Tensor[] vjp(Tensor g, Node n) { return new Tensor[]{g.mul(derivativeAlone(n))}; }

        @Override protected Tensor jvpPart(int input, Tensor t, Node n) { return t.mul(derivativeAlone(n)); }

        /**
         * f′(x) with the temporaries of its formula freed before the product is formed (tanh's 1 − y² leaves y² and −y²
         * behind), when nothing is recorded: in a sweep the product's operands are then all that is live.
         */
        Tensor derivativeAlone(Node n) {
            if (GradMode.isEnabled()) return derivative(n);
            try (dev.jaclab.nd.Arena temporaries = dev.jaclab.nd.Arena.open()) {
                Tensor d = derivative(n);
                temporaries.keep(d.data());
                return d;
            }
        }

        static Tensor x(Node n) { return n.inputs()[0]; }

        /** exp, log, sin, tanh, pow: one transcendental per element. */
        @Override public Work work(long[][] in, long[] out, int b) { return Work.transcendental(numel(out), numel(in), numel(out)); }
    }

    /** −x: linear and its own transpose. */
    static final class Neg extends Linear {
        @Override public String name() { return "neg"; }
        @Override public boolean rowUniformLinear(Node n, int input) { return Binary.plainMatrixLikeOutput(n, input); }
        @Override protected long[] shape(long[][] in) { return in[0]; }
        @Override protected NdArray forward(NdArray[] in, int b) { return in[0].neg(); }
        @Override protected Tensor[] vjp(Tensor g, Node n) { return new Tensor[]{g.neg()}; }
        @Override public boolean perSample(Node n, int input) { return true; }
        @Override public boolean positionwise(Node n, int input) { return sameShapeAsOutput(n, input); }
        @Override public Work work(long[][] in, long[] out, int b) { return Work.elementwise(numel(out), numel(in), numel(out)); }
    }

    static final class Exp extends Unary {
        @Override public String name() { return "exp"; }
        @Override protected boolean savesInput(Node n, int input) { return false; }
        @Override protected boolean savesOutput(Node n) { return true; }
        @Override protected NdArray forward(NdArray[] in, int b) { return in[0].exp(); }
        @Override Tensor derivative(Node n) { return n.output(); }
        @Override Tensor secondDerivative(Node n, Tensor d) { return n.output(); }
    }

    static final class Log extends Unary {
        @Override public String name() { return "log"; }
        @Override protected boolean savesOutput(Node n) { return false; }
        @Override protected NdArray forward(NdArray[] in, int b) { return in[0].log(); }
        @Override Tensor derivative(Node n) { return x(n).reciprocal(); }
        @Override protected Tensor[] vjp(Tensor g, Node n) { return new Tensor[]{g.div(x(n))}; }
        @Override protected Tensor jvpPart(int input, Tensor t, Node n) { return t.div(x(n)); }
    }

    static final class Sin extends Unary {
        @Override public String name() { return "sin"; }
        @Override protected boolean savesOutput(Node n) { return true; }            // f″ = −y
        @Override protected NdArray forward(NdArray[] in, int b) { return in[0].sin(); }
        @Override Tensor derivative(Node n) { return x(n).cos(); }
        @Override Tensor secondDerivative(Node n, Tensor d) { return n.output().neg(); }
    }

    /** cos x, one kernel (sin's derivative): cos' = −sin. */
    static final class Cos extends Unary {
        @Override public String name() { return "cos"; }
        @Override protected NdArray forward(NdArray[] in, int b) { return in[0].cos(); }
        @Override Tensor derivative(Node n) { return x(n).sin().neg(); }
        @Override Tensor secondDerivative(Node n, Tensor d) { return n.output().neg(); }
    }

    static final class Tanh extends Unary {
        @Override public String name() { return "tanh"; }
        @Override protected boolean savesInput(Node n, int input) { return false; }
        @Override protected boolean savesOutput(Node n) { return true; }
        @Override protected NdArray forward(NdArray[] in, int b) { return in[0].tanh(); }
        /** 1 − y² in one pass over the output (not square, negate, add: three passes and three arrays). */
        @Override Tensor derivative(Node n) { return Binder.bind(new OneMinusSquare(), n.output()); }
        @Override Tensor secondDerivative(Node n, Tensor d) { return n.output().mul(d).mul(-2.0); }

        @Override protected Tensor[] vjp(Tensor g, Node n) { return new Tensor[]{timesDerivative(g, n)}; }

        @Override protected Tensor jvpPart(int input, Tensor t, Node n) { return timesDerivative(t, n); }

        /**
         * v · (1 − h²): when nothing is recorded, one pass that writes only the product ({@code NdArray.mulOneMinusSquare};
         * the derivative 1 − h² and the product were two fresh arrays and two passes, a (2^20, 64) f32 pair per tanh and
         * direction in the MLP's Jacobian); its work is stated as both ops'. Recorded (createGraph), the differentiable
         * product of the two ops.
         */
        private Tensor timesDerivative(Tensor v, Node n) {
            Tensor h = n.output();
            if (GradMode.isEnabled() || h.levels().length > 0 || !java.util.Arrays.equals(v.shape(), h.shape()) || v.dtype() != h.dtype())
                return v.mul(derivativeAlone(n));
            if (h.data().isClosed())
                throw new IllegalStateException(name() + ": its output of shape " + Shapes.str(h.shape()) + " was released");
            NdArray out = ShapeTrace.active() ? NdArray.shapeOnly(v.dtype(), v.data().shape()) : v.data().mulOneMinusSquare(h.data());
            double e = h.numel(), o = out.numel(), b = v.dtype().bytes();
            WorkMeter.add(new Work(0, 2 * e + o, 0, (e + v.data().numel() + e) * b, (e + o) * b, 2));   // 1 − h², then v · it
            return new Tensor(out, v.levels());
        }

        /** t·d and d·(l − 2h·Σ_a t_a²) with d = 1 − h² (tanh″ = −2h·tanh′): d computed once, one multiply by it per channel. */
        @Override public Tensor[] forwardLaplacian(Tensor[] t, Tensor[] l, Node n, int level, long size) {
            Tensor h = n.output(), d = derivative(n);
            Tensor w = SecondOrderOps.scaledMul(h, SecondOrderJvp.sumOfSquaresOverDirections(t[0], level, size), -2);
            if (l[0] != null) w = w.add(l[0]);
            return new Tensor[]{t[0].mul(d), w.mul(d)};
        }
    }

    /** 1 − x², fused (tanh's derivative from its output); its own derivative is −2x. */
    static final class OneMinusSquare extends Unary {
        @Override public String name() { return "oneMinusSquare"; }
        @Override protected NdArray forward(NdArray[] in, int b) { return in[0].oneMinusSquare(); }
        @Override public Work work(long[][] in, long[] out, int b) { return Work.elementwise(2 * numel(out), numel(in), numel(out)); }
        @Override Tensor derivative(Node n) { return x(n).mul(-2.0); }
        @Override Tensor secondDerivative(Node n, Tensor d) { return Tensor.scalar(-2, x(n).dtype()); }
    }

    /** x^p for a constant exponent p. */
    static final class PowScalar extends Unary {
        final double p;
        PowScalar(double p) { this.p = p; }
        @Override public String name() { return "pow"; }
        @Override protected boolean savesOutput(Node n) { return false; }
        @Override protected NdArray forward(NdArray[] in, int b) { return in[0].pow(p); }
        /** x² is one multiply; other powers a transcendental each. */
        @Override public Work work(long[][] in, long[] out, int b) {
            return p == 2 ? Work.elementwise(numel(out), numel(in), numel(out)) : super.work(in, out, b);
        }
        @Override Tensor derivative(Node n) {
            return p == 2 ? x(n).mul(2.0) : x(n).pow(p - 1).mul(p);
        }
        @Override Tensor secondDerivative(Node n, Tensor d) {
            return p == 2 ? Tensor.scalar(2, x(n).dtype()) : p == 1 ? Tensor.scalar(0, x(n).dtype()) : x(n).pow(p - 2).mul(p * (p - 1));
        }
    }

    /** Broadcasting binary op; its JVP is the sum of each input's {@link #jvpPart} (the output-shaped sum). */
    abstract static class Binary extends Primitive {
        @Override protected boolean broadcasting() { return true; }

        @Override protected long[] shape(long[][] in) { return Shapes.broadcast(name(), in[0], in[1]); }

        @Override public boolean perSample(Node n, int input) { return keepsSampleAxis(n, input); }

        /** An input of the output's shape (a broadcast one reaches many output elements). */
        @Override public boolean positionwise(Node n, int input) { return sameShapeAsOutput(n, input); }

        /** add, sub, mul, div: one operation per output element. */
        @Override public Work work(long[][] in, long[] out, int b) { return Work.elementwise(numel(out), numel(in), numel(out)); }

        static Tensor a(Node n) { return n.inputs()[0]; }

        static Tensor b(Node n) { return n.inputs()[1]; }

        /** Whether input {@code i} is a plain matrix of the output's shape (no broadcasting, no batch levels). */
        static boolean plainMatrixLikeOutput(Node n, int i) {
            Tensor in = n.inputs()[i], out = n.output();
            return in.rank() == 2 && in.levels().length == 0 && out.levels().length == 0 && java.util.Arrays.equals(in.shape(), out.shape());
        }

        /** Cotangent reduced to an input's logical shape (undoes broadcasting); batch levels kept. */
        static Tensor unbroadcast(Tensor g, Tensor input) { return g.sumTo(input.shape()); }
    }

    static final class Add extends Binary implements SecondOrderJvp {
        @Override public String name() { return "add"; }
        @Override protected boolean savesInput(Node n, int input) { return false; }
        @Override protected boolean savesOutput(Node n) { return false; }
        @Override public Tensor secondOrder(Tensor[] t, Node n, int level, long size) { return null; }
        @Override public boolean rowUniformLinear(Node n, int input) { return plainMatrixLikeOutput(n, input); }
        @Override protected NdArray forward(NdArray[] in, int b) { return in[0].add(in[1]); }
        @Override protected Tensor[] vjp(Tensor g, Node n) {
            return new Tensor[]{need(n, 0) ? unbroadcast(g, a(n)) : null, need(n, 1) ? unbroadcast(g, b(n)) : null};
        }
        @Override protected Tensor jvpPart(int input, Tensor t, Node n) { return t; }
    }

    static final class Sub extends Binary implements SecondOrderJvp {
        @Override public String name() { return "sub"; }
        @Override protected boolean savesInput(Node n, int input) { return false; }
        @Override protected boolean savesOutput(Node n) { return false; }
        @Override public Tensor secondOrder(Tensor[] t, Node n, int level, long size) { return null; }
        @Override public boolean rowUniformLinear(Node n, int input) { return plainMatrixLikeOutput(n, input); }
        @Override protected NdArray forward(NdArray[] in, int b) { return in[0].sub(in[1]); }
        @Override protected Tensor[] vjp(Tensor g, Node n) {
            return new Tensor[]{need(n, 0) ? unbroadcast(g, a(n)) : null, need(n, 1) ? unbroadcast(g.neg(), b(n)) : null};
        }
        @Override protected Tensor jvp(Tensor[] t, Node n) {                                 // one sub when both flow
            return t[0] != null && t[1] != null ? t[0].sub(t[1]) : super.jvp(t, n);
        }
        @Override protected Tensor jvpPart(int input, Tensor t, Node n) { return input == 0 ? t : t.neg(); }
    }

    static final class Mul extends Binary implements SecondOrderJvp {
        @Override public String name() { return "mul"; }
        @Override protected boolean savesOutput(Node n) { return false; }
        /** 2 Σ_a t_a(a)·t_a(b); zero when only one factor moves. */
        @Override public Tensor secondOrder(Tensor[] t, Node n, int level, long size) {
            return t[0] == null || t[1] == null ? null : SecondOrderJvp.sumOverDirections(SecondOrderOps.scaledMul(t[0], t[1], 2), level, size);
        }
        @Override public boolean rowUniformLinear(Node n, int input) {
            return plainMatrixLikeOutput(n, input) && n.inputs()[1 - input].rank() == 0 && n.inputs()[1 - input].levels().length == 0;
        }
        @Override protected NdArray forward(NdArray[] in, int b) { return in[0].mul(in[1]); }
        @Override protected Tensor[] vjp(Tensor g, Node n) {
            return new Tensor[]{need(n, 0) ? unbroadcast(g.mul(b(n)), a(n)) : null, need(n, 1) ? unbroadcast(g.mul(a(n)), b(n)) : null};
        }
        @Override protected Tensor jvpPart(int input, Tensor t, Node n) { return input == 0 ? t.mul(b(n)) : a(n).mul(t); }
    }

    static final class Div extends Binary implements SecondOrderJvp {
        @Override public String name() { return "div"; }
        @Override protected boolean savesInput(Node n, int input) { return input == 1; }   // rules use y, not a
        /** y = a/b: Σ_a (2 t_b / b²)(y·t_b − t_a); zero when b is constant. */
        @Override public Tensor secondOrder(Tensor[] t, Node n, int level, long size) {
            if (t[1] == null) return null;
            Tensor inner = t[1].mul(n.output());
            if (t[0] != null) inner = inner.sub(t[0]);
            return SecondOrderJvp.sumOverDirections(t[1].mul(inner), level, size).mul(2.0).div(b(n).square());
        }
        @Override protected NdArray forward(NdArray[] in, int b) { return in[0].div(in[1]); }
        @Override protected Tensor[] vjp(Tensor g, Node n) {
            Tensor gb = g.div(b(n));
            return new Tensor[]{need(n, 0) ? unbroadcast(gb, a(n)) : null,
                    need(n, 1) ? unbroadcast(gb.mul(n.output()).neg(), b(n)) : null};
        }
        /** (t_a − t_b·y) / b: one division for both tangents. */
        @Override protected Tensor jvp(Tensor[] t, Node n) {
            Tensor num = t[0] != null && t[1] != null ? t[0].sub(t[1].mul(n.output()))
                    : plus(t[0], t[1] == null ? null : t[1].mul(n.output()).neg());
            return num.div(b(n));
        }
    }

    /** where(mask, a, b): input 0 is a constant mask (nonzero = take a). */
    static final class Where extends Primitive implements SecondOrderJvp {
        @Override public String name() { return "where"; }
        @Override protected boolean savesInput(Node n, int input) { return input == 0; }   // the mask only
        @Override protected boolean savesOutput(Node n) { return false; }
        @Override public Tensor secondOrder(Tensor[] t, Node n, int level, long size) { return null; }
        @Override protected boolean broadcasting() { return true; }
        @Override protected boolean differentiable(int input) { return input > 0; }
        @Override protected long[] shape(long[][] in) { return Shapes.broadcast("where", Shapes.broadcast("where", in[0], in[1]), in[2]); }
        @Override protected NdArray forward(NdArray[] in, int b) { return NdArray.where(in[0], in[1], in[2]); }
        /** The mask test and two broadcast copies before the select: about three passes over the output. */
        @Override public Work work(long[][] in, long[] out, int b) { return Work.elementwise(3 * numel(out), numel(in), 3 * numel(out)); }
        @Override public boolean perSample(Node n, int input) { return keepsSampleAxis(n, input); }
        @Override public boolean positionwise(Node n, int input) { return sameShapeAsOutput(n, input); }
        @Override protected Tensor[] vjp(Tensor g, Node n) {
            Tensor m = n.inputs()[0], zero = Tensor.scalar(0, g.dtype());
            return new Tensor[]{null, need(n, 1) ? Tensor.where(m, g, zero).sumTo(n.inputs()[1].shape()) : null,
                    need(n, 2) ? Tensor.where(m, zero, g).sumTo(n.inputs()[2].shape()) : null};
        }
        @Override protected Tensor jvp(Tensor[] t, Node n) {
            DType d = n.output().dtype();
            Tensor zero = Tensor.scalar(0, d);
            return Tensor.where(n.inputs()[0], t[1] == null ? zero : t[1], t[2] == null ? zero : t[2]);
        }
    }

    static boolean need(Node n, int i) { return n.inputs()[i].isRequiresGrad(); }
}
