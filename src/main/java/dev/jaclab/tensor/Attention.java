package dev.jaclab.tensor;

/** Holder for the fused attention primitive (softmax(q·kᵀ·scale over the sample axis)·v, streamed by row blocks). */
final class Attention {
    private Attention() {}
}
