package dev.jaclab.nd;

/**
 * Floating-point element types supported by JacLab.
 *
 * <pre>{@code
 * Tensor.setDefaultDType(DType.FLOAT64);   // gradient checks want float64
 * }</pre>
 */
public enum DType {
    FLOAT32(4), FLOAT64(8);

    private final int bytes;

    DType(int bytes) { this.bytes = bytes; }

    /** Bytes per element. */
    public int bytes() { return bytes; }

    /** The wider of two types (used when two operands meet). */
    public static DType promote(DType a, DType b) { return a == FLOAT64 || b == FLOAT64 ? FLOAT64 : FLOAT32; }

    @Override public String toString() { return this == FLOAT32 ? "float32" : "float64"; }
}
