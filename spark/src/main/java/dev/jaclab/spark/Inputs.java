package dev.jaclab.spark;

import dev.jaclab.nd.DType;
import dev.jaclab.nd.NdArray;
import dev.jaclab.tensor.Tensor;
import java.io.Serializable;
import java.util.Arrays;

/**
 * A model's input tensors as plain arrays (values, shapes, dtype): what a Spark job broadcasts once to every executor.
 * N = 10^6 samples of width 3 in float32 are 12 MB.
 *
 * <pre>{@code
 * Inputs in = Inputs.of(Models.byName("attention").inputs(4096, 1));
 * in.samples();          // 4096
 * Tensor[] t = in.tensors();
 * }</pre>
 */
public final class Inputs implements Serializable {
    private static final long serialVersionUID = 1L;
    private final DType dtype;
    private final long[][] shapes;
    private final float[][] f32;
    private final double[][] f64;

    private Inputs(DType dtype, long[][] shapes, float[][] f32, double[][] f64) {
        this.dtype = dtype;
        this.shapes = shapes;
        this.f32 = f32;
        this.f64 = f64;
    }

    /** Copies the tensors' values (all of one dtype, each with the samples along dim 0). */
    public static Inputs of(Tensor... ts) {
        if (ts.length == 0) throw new IllegalArgumentException("Inputs: no tensors");
        DType t = ts[0].dtype();
        long[][] shapes = new long[ts.length][];
        float[][] f = t == DType.FLOAT32 ? new float[ts.length][] : null;
        double[][] d = t == DType.FLOAT64 ? new double[ts.length][] : null;
        for (int i = 0; i < ts.length; i++) {
            if (ts[i].dtype() != t) throw new IllegalArgumentException("Inputs: input " + i + " is " + ts[i].dtype() + ", input 0 is " + t);
            if (ts[i].rank() == 0) throw new IllegalArgumentException("Inputs: input " + i + " is a scalar; inputs carry the samples along dim 0");
            shapes[i] = ts[i].shape();
            double[] v = ts[i].toDoubleArray();
            if (d != null) d[i] = v;
            else {
                f[i] = new float[v.length];
                for (int k = 0; k < v.length; k++) f[i][k] = (float) v[k];
            }
        }
        return new Inputs(t, shapes, f, d);
    }

    /** Number of samples: rows of input {@code index}. */
    public long samples(int index) { return shapes[index][0]; }

    public long samples() { return samples(0); }

    public int count() { return shapes.length; }

    public DType dtype() { return dtype; }

    public long[] shape(int i) { return shapes[i].clone(); }

    /** Fresh tensors (constants; the caller marks the one it differentiates by). */
    public Tensor[] tensors() {
        Tensor[] out = new Tensor[shapes.length];
        for (int i = 0; i < out.length; i++)
            out[i] = Tensor.wrap(f32 != null ? NdArray.fromFloats(dtype, f32[i], shapes[i]) : NdArray.fromDoubles(dtype, f64[i], shapes[i]));
        return out;
    }

    @Override public String toString() {
        StringBuilder s = new StringBuilder("Inputs[" + dtype);
        for (long[] sh : shapes) s.append(' ').append(Arrays.toString(sh));
        return s.append(']').toString();
    }
}
