package dev.jaclab.autodiff;

import dev.jaclab.nd.DType;
import dev.jaclab.nd.InPlace;
import dev.jaclab.nd.Shapes;
import dev.jaclab.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The gradient of a scalar loss with respect to leaves it reads (parameters), against central differences taken by
 * moving each leaf element in place and re-evaluating the loss. Behind {@link GradCheck#leaves}.
 */
final class LeafDifferences {
    private LeafDifferences() {}

    static GradCheck.LeafResult check(Supplier<Tensor> loss, Tensor[] leaves, GradCheck.Options opt) {
        for (Tensor t : leaves) {
            if (t.dtype() != DType.FLOAT64)
                throw new IllegalArgumentException("GradCheck.leaves: leaf " + Shapes.str(t.shape()) + " is " + t.dtype() + "; finite differences need float64");
            if (!t.isLeaf() || !t.isRequiresGrad())
                throw new IllegalArgumentException("GradCheck.leaves: " + Shapes.str(t.shape()) + " is not a leaf that requires grad");
        }
        Tensor l = loss.get();
        if (l.numel() != 1) throw new IllegalArgumentException("GradCheck.leaves: the loss has shape " + Shapes.str(l.shape()) + ", not a scalar");
        if (!l.isRequiresGrad()) throw new IllegalArgumentException("GradCheck.leaves: the loss does not depend on any leaf");
        Tensor[] ad = Autograd.grad(new Tensor[]{l}, leaves, new Tensor[]{Tensor.scalar(1, l.dtype()).reshape(l.shape())}, Autograd.Options.defaults());
        double worst = 0;
        long values = 0;
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < leaves.length; i++) {
            double[] g = ad[i].toDoubleArray();
            double[] fd = new double[g.length];
            for (int j = 0; j < g.length; j++) {
                InPlace.addAt(leaves[i].data(), j, opt.eps());
                double plus = value(loss);
                InPlace.addAt(leaves[i].data(), j, -2 * opt.eps());
                double minus = value(loss);
                InPlace.addAt(leaves[i].data(), j, opt.eps());
                fd[j] = (plus - minus) / (2 * opt.eps());
            }
            double err = GradCheck.relErr(Tensor.fromArray(g, g.length).cast(DType.FLOAT64), Tensor.fromArray(fd, fd.length).cast(DType.FLOAT64));
            values += g.length;
            worst = Math.max(worst, err);
            if (!(err <= opt.tol())) {
                int at = 0;
                for (int j = 1; j < g.length; j++) if (Math.abs(g[j] - fd[j]) > Math.abs(g[at] - fd[at])) at = j;
                failures.add(String.format("leaf %d %s: max relative error %.3e (element %d: AD %.10g vs finite differences %.10g)",
                        i, Shapes.str(leaves[i].shape()), err, at, g[at], fd[at]));
            }
        }
        return new GradCheck.LeafResult(worst, values, opt.tol(), failures.isEmpty(), List.copyOf(failures));
    }

    /** The loss at the current leaf values (the tape it records is dropped). */
    private static double value(Supplier<Tensor> loss) { return loss.get().detach().cast(DType.FLOAT64).item(); }
}
