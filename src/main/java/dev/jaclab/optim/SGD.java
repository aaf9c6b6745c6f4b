package dev.jaclab.optim;

import dev.jaclab.nd.InPlace;
import dev.jaclab.nd.NdArray;
import dev.jaclab.nn.Parameter;
import java.util.List;

/**
 * Stochastic gradient descent with optional momentum (heavy ball or Nesterov), dampening and L2 weight decay, with
 * PyTorch's update rule: d = g + wd·θ; b = μ·b + (1 − dampening)·d (b = d on the first step); θ −= lr·(Nesterov ?
 * d + μ·b : b).
 *
 * <pre>{@code
 * SGD opt = new SGD(model.parameters(), 0.1).momentum(0.9).nesterov(true).weightDecay(1e-4);
 * opt.step(() -> loss(model));
 * }</pre>
 */
public final class SGD extends Optimizer {
    private double momentum, dampening, weightDecay;
    private boolean nesterov;
    private final List<NdArray> buffers;

    public SGD(List<Parameter> params, double lr) {
        super(params, lr);
        buffers = slots(params.size());
    }

    public SGD momentum(double m) {
        if (m < 0) throw new IllegalArgumentException("SGD: momentum must be >= 0, got " + m);
        momentum = m;
        return this;
    }

    public SGD dampening(double d) { dampening = d; return this; }

    public SGD nesterov(boolean on) { nesterov = on; return this; }

    public SGD weightDecay(double wd) { weightDecay = wd; return this; }

    @Override public void step() {
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new IllegalStateException("SGD: Nesterov momentum needs momentum > 0 and zero dampening (momentum " + momentum + ", dampening " + dampening + ")");
        super.step();
    }

    @Override protected void update(int i, NdArray p, NdArray g, double c, double lr) {
        if (momentum == 0) {
            InPlace.scale(p, 1 - lr * weightDecay);
            InPlace.axpy(-lr * c, g, p);
            return;
        }
        NdArray b = buffers.get(i);
        double keep = 1 - dampening;
        if (b == null) {                                  // first step: b = d
            buffers.set(i, b = stateLike(i));
            keep = 1;
        } else InPlace.scale(b, momentum);
        InPlace.axpy(keep * c, g, b);
        InPlace.axpy(keep * weightDecay, p, b);
        InPlace.scale(p, 1 - lr * (nesterov ? weightDecay : 0));
        if (nesterov) {
            InPlace.axpy(-lr * c, g, p);
            InPlace.axpy(-lr * momentum, b, p);
        } else InPlace.axpy(-lr, b, p);
    }
}
