package dev.jaclab.optim;

import dev.jaclab.nd.InPlace;
import dev.jaclab.nd.NdArray;
import dev.jaclab.nn.Parameter;
import java.util.List;

/**
 * Adam (Kingma and Ba) with PyTorch's update rule, and AdamW (decoupled weight decay, Loshchilov and Hutter):
 * m = β₁m + (1 − β₁)g, v = β₂v + (1 − β₂)g², θ −= lr·m̂ / (√v̂ + ε) with bias-corrected m̂, v̂. Adam's weight decay
 * adds wd·θ to g; AdamW's multiplies θ by (1 − lr·wd) first. Optional AMSGrad. State: m, v and one work buffer per
 * parameter, allocated on the first step.
 *
 * <pre>{@code
 * Adam opt = new Adam(model.parameters(), 1e-3);                  // betas (0.9, 0.999), eps 1e-8
 * Adam w = Adam.adamW(model.parameters(), 1e-3, 1e-2);            // decoupled weight decay
 * }</pre>
 */
public final class Adam extends Optimizer {
    private double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay;
    private boolean decoupled, amsgrad;
    private final List<NdArray> m, v, vmax, work;

    public Adam(List<Parameter> params, double lr) {
        super(params, lr);
        m = slots(params.size());
        v = slots(params.size());
        vmax = slots(params.size());
        work = slots(params.size());
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
        if (m.get(i) == null) {
            m.set(i, stateLike(i));
            v.set(i, stateLike(i));
            work.set(i, stateLike(i));
            if (amsgrad) vmax.set(i, stateLike(i));
        }
        NdArray mi = m.get(i), vi = v.get(i), w = work.get(i);
        long t = steps() + 1;
        if (decoupled) InPlace.scale(p, 1 - lr * weightDecay);
        InPlace.assign(w, g);                                   // w = g' = c·g (+ wd·θ for Adam)
        InPlace.scale(w, c);
        if (!decoupled) InPlace.axpy(weightDecay, p, w);
        InPlace.scale(mi, beta1);
        InPlace.axpy(1 - beta1, w, mi);
        InPlace.mul(w, w);
        InPlace.scale(vi, beta2);
        InPlace.axpy(1 - beta2, w, vi);
        NdArray second = vi;
        if (amsgrad) {
            InPlace.maximum(vmax.get(i), vi);
            second = vmax.get(i);
        }
        double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
        InPlace.assign(w, second);                              // w = √(v / bc2) + ε
        InPlace.scale(w, 1 / bc2);
        InPlace.sqrt(w);
        InPlace.addScalar(w, eps);
        InPlace.divideInto(mi, w);                              // w = m / w
        InPlace.axpy(-lr / bc1, w, p);
    }
}
