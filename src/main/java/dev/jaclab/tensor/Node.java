package dev.jaclab.tensor;

import java.util.List;

/**
 * One recorded application of a {@link Primitive}: its inputs and the output it produced. Nodes form the tape:
 * each non-leaf tensor points to the node that created it.
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(0, 8, 3).requiresGrad();
 * Node n = x.sin().node();
 * n.primitive().name();   // "sin"
 * n.inputs()[0] == x;     // true
 * }</pre>
 */
public final class Node {
    private final Primitive primitive;
    private final Tensor[] inputs;
    private Tensor output;
    private StackTraceElement site;

    Node(Primitive primitive, Tensor[] inputs) {
        this.primitive = primitive;
        this.inputs = inputs;
    }

    void setOutput(Tensor out) { this.output = out; }

    void setSite(StackTraceElement site) { this.site = site; }

    /**
     * Where this op was created: the user's source line or notebook cell and line (see {@link Sites}), or null when
     * sites were not recorded.
     */
    public String site() { return Sites.name(site); }

    public Primitive primitive() { return primitive; }

    public Tensor[] inputs() { return inputs; }

    public Tensor output() { return output; }

    /** Inputs through which a derivative can flow. */
    public List<Tensor> differentiableInputs() {
        var list = new java.util.ArrayList<Tensor>();
        for (int i = 0; i < inputs.length; i++)
            if (primitive.differentiable(i) && inputs[i].isRequiresGrad()) list.add(inputs[i]);
        return list;
    }

    /** The op and its output shape, and where it was created when known: "attention(8,16) at cell [7], line 3". */
    @Override public String toString() {
        String at = site();
        return primitive.name() + dev.jaclab.nd.Shapes.str(output.shape()) + (at == null ? "" : " at " + at);
    }
}
