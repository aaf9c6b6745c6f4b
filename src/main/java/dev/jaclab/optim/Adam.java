package dev.jaclab.optim;

import dev.jaclab.nd.DType;
import dev.jaclab.nd.InPlace;
import dev.jaclab.nd.NdArray;
import dev.jaclab.nn.Parameter;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * Adam (Kingma and Ba) with PyTorch's update rule, and AdamW (decoupled weight decay, Loshchilov and Hutter):
 * m = β₁m + (1 − β₁)g, v = β₂v + (1 − β₂)g², θ −= lr·m̂ / (√v̂ + ε) with bias-corrected m̂, v̂. Adam's weight decay
 * adds wd·θ to g; AdamW's multiplies θ by (1 − lr·wd) first. Optional AMSGrad.
 *
 * <p>The moments of all parameters live in flat heap arrays (float32 parameters: float moments, float64: double),
 * allocated on the first step; each step is one fused loop per parameter over its host buffer, in the parameter's
 * own precision, written in the textbook order (float64 updates equal the formula above to the last bit). Arrays
 * without a host buffer (a device backend) are copied through the heap.
 *
 * <pre>{@code
 * Adam opt = new Adam(model.parameters(), 1e-3);                  // betas (0.9, 0.999), eps 1e-8
 * Adam w = Adam.adamW(model.parameters(), 1e-3, 1e-2);            // decoupled weight decay
 * }</pre>
 */
public final class Adam extends Optimizer {
    private double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay;
    private boolean decoupled, amsgrad;
    /** Start of each parameter's segment in the flat moments of its precision. */
    private final int[] offset;
    private final int floats, doubles;
    private float[] mf, vf, vmaxf;
    private double[] md, vd, vmaxd;
    /** Packed copies of gradients that arrive as strided views, one per parameter, made when first needed. */
    private final NdArray[] work;

    public Adam(List<Parameter> params, double lr) {
        super(params, lr);
        offset = new int[params.size()];
        work = new NdArray[params.size()];
        long f = 0, d = 0;
        for (int i = 0; i < offset.length; i++) {
            Parameter p = params.get(i);
            boolean single = p.dtype() == DType.FLOAT32;
            if (!single && p.dtype() != DType.FLOAT64)
                throw new IllegalArgumentException("Adam: parameter " + i + " is " + p.dtype() + "; float32 or float64 only");
            offset[i] = (int) (single ? f : d);
            if (single) f += p.numel(); else d += p.numel();
        }
        if (f > Integer.MAX_VALUE || d > Integer.MAX_VALUE) throw new IllegalArgumentException("Adam: more than 2³¹ parameters of one dtype");
        floats = (int) f;
        doubles = (int) d;
    }

    /** AdamW: decoupled weight decay {@code weightDecay}. */
    public static Adam adamW(List<Parameter> params, double lr, double weightDecay) {
        Adam a = new Adam(params, lr);
        a.decoupled = true;
        a.weightDecay = weightDecay;
        return a;
    }

    public Adam betas(double b1, double b2) {
        if (!(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1)) throw new IllegalArgumentException("Adam: betas must be in [0, 1), got " + b1 + ", " + b2);
        beta1 = b1;
        beta2 = b2;
        return this;
    }

    public Adam eps(double e) { eps = e; return this; }

    /** L2 weight decay for Adam (added to the gradient); for AdamW, the decoupled decay. */
    public Adam weightDecay(double wd) { weightDecay = wd; return this; }

    public Adam amsgrad(boolean on) { amsgrad = on; return this; }

    @Override protected void update(int i, NdArray p, NdArray g, double c, double lr) {
        if (mf == null) allocate();
        if (amsgrad) allocateMax();
        long t = steps() + 1;
        double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
        int n = (int) p.numel();
        g = packed(i, g);
        if (p.dtype() == DType.FLOAT32) {
            FloatBuffer pb = InPlace.hostFloats(p), gb = InPlace.hostFloats(g);
            float[] pa = pb == null ? floats(p) : null, ga = gb == null ? floats(g) : null;
            float b1 = (float) beta1, b2 = (float) beta2, ob1 = (float) (1 - beta1), ob2 = (float) (1 - beta2);
            float wd = (float) weightDecay, keep = (float) (1 - lr * weightDecay), cf = (float) c;
            float rate = (float) lr, e = (float) eps, c1 = (float) bc1, c2 = (float) bc2;
            int o = offset[i];
            for (int k = 0; k < n; k++) {
                float th = pa == null ? pb.get(k) : pa[k], gk = (ga == null ? gb.get(k) : ga[k]) * cf;
                if (decoupled) th *= keep;
                else gk += wd * th;
                float m = mf[o + k] = b1 * mf[o + k] + ob1 * gk;
                float v = vf[o + k] = b2 * vf[o + k] + ob2 * gk * gk;
                if (amsgrad) v = vmaxf[o + k] = Math.max(vmaxf[o + k], v);
                th -= rate * (m / c1) / ((float) Math.sqrt(v / c2) + e);
                if (pa == null) pb.put(k, th); else pa[k] = th;
            }
            if (pa != null) InPlace.assign(p, NdArray.fromFloats(DType.FLOAT32, pa, p.shape()));
        } else {
            DoubleBuffer pb = InPlace.hostDoubles(p), gb = InPlace.hostDoubles(g);
            double[] pa = pb == null ? p.toDoubleArray() : null, ga = gb == null ? g.toDoubleArray() : null;
            double keep = 1 - lr * weightDecay;
            int o = offset[i];
            for (int k = 0; k < n; k++) {
                double th = pa == null ? pb.get(k) : pa[k], gk = (ga == null ? gb.get(k) : ga[k]) * c;
                if (decoupled) th *= keep;
                else gk += weightDecay * th;
                double m = md[o + k] = beta1 * md[o + k] + (1 - beta1) * gk;
                double v = vd[o + k] = beta2 * vd[o + k] + (1 - beta2) * gk * gk;
                if (amsgrad) v = vmaxd[o + k] = Math.max(vmaxd[o + k], v);
                th -= lr * (m / bc1) / (Math.sqrt(v / bc2) + eps);
                if (pa == null) pb.put(k, th); else pa[k] = th;
            }
            if (pa != null) InPlace.assign(p, NdArray.fromDoubles(DType.FLOAT64, pa, p.shape()));
        }
    }

    private void allocate() {
        mf = new float[floats];
        vf = new float[floats];
        md = new double[doubles];
        vd = new double[doubles];
        vmaxf = new float[0];
        vmaxd = new double[0];
    }

    private void allocateMax() {                                // AMSGrad's running maximum, from its first step
        if (vmaxf.length != floats) vmaxf = new float[floats];
        if (vmaxd.length != doubles) vmaxd = new double[doubles];
    }

    /**
     * {@code g} itself when its host buffer can be read as is, else a copy into parameter i's work buffer (allocated
     * once; gradients that are strided views, such as a transposed product, come this way).
     */
    private NdArray packed(int i, NdArray g) {
        if (InPlace.hostFloats(g) != null || InPlace.hostDoubles(g) != null) return g;
        if (work[i] == null) work[i] = stateLike(i);
        if (InPlace.hostFloats(work[i]) == null && InPlace.hostDoubles(work[i]) == null) return g;   // no host buffer at all
        InPlace.assign(work[i], g);
        return work[i];
    }

    private static float[] floats(NdArray x) {
        double[] d = x.toDoubleArray();
        float[] f = new float[d.length];
        for (int k = 0; k < d.length; k++) f[k] = (float) d[k];
        return f;
    }
}
