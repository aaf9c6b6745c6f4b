package dev.jaclab.viz;

import dev.jaclab.nd.Shapes;
import dev.jaclab.tensor.Node;
import dev.jaclab.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * The recorded tape of a tensor as a Graphviz graph: one box per recorded op (name and output shape), one ellipse per
 * leaf (named when given, orange when it requires grad), edges in data-flow order. An edge is dashed red where row i
 * of the op's output depends on other rows of that input (the op mixes samples through it, or it is a shared weight),
 * and such ops name the line that created them when sites were recorded ({@code dev.jaclab.tensor.Sites}). A small
 * legend explains the styles. Long chains are laid out top to bottom, and the image is at most
 * {@value #MAX_WIDTH_IN}×{@value #MAX_HEIGHT_IN} inches at 96 dpi (Graphviz scales larger graphs down). Layout is
 * Graphviz {@code dot} (Debian package {@code graphviz}).
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(0, 4, 3).requiresGrad();
 * Tensor y = x.sin().mul(x).sum();
 * String src = Viz.dot(y, Map.of("x", x));      // DOT source
 * BufferedImage img = Viz.graph(y, Map.of("x", x));
 * }</pre>
 */
final class TapeGraph {
    private TapeGraph() {}

    /** Largest drawing, in inches at 96 dpi (about 860 × 670 pixels). */
    static final double MAX_WIDTH_IN = 9, MAX_HEIGHT_IN = 7;
    /** Longest chain of ops still laid out left to right. */
    static final int MAX_LR_DEPTH = 7;

    static String dot(Tensor y, Map<String, Tensor> names) {
        Map<Tensor, String> label = new IdentityHashMap<>();
        names.forEach((k, v) -> label.put(v, k));
        Map<Tensor, String> ids = new IdentityHashMap<>();
        StringBuilder sb = new StringBuilder("digraph tape {\n  rankdir=" + (depth(y) > MAX_LR_DEPTH ? "TB" : "LR") + ";\n  size=\""
                + MAX_WIDTH_IN + "," + MAX_HEIGHT_IN + "\";\n  node [fontname=\"Helvetica\", fontsize=11];\n  edge [color=\"#555555\"];\n");
        boolean anyMixing = false;
        Deque<Tensor> todo = new ArrayDeque<>();
        todo.push(y);
        id(y, ids);
        while (!todo.isEmpty()) {
            Tensor t = todo.pop();
            String id = ids.get(t);
            String shape = Shapes.str(t.shape());
            String name = label.get(t);
            Node n = t.node();
            if (n == null) {
                String fill = t.isRequiresGrad() ? "#E69F00" : "#DDDDDD";
                sb.append("  ").append(id).append(" [shape=ellipse, style=filled, fillcolor=\"").append(fill).append("\", label=\"")
                        .append(name == null ? (t.numel() == 1 ? "const" : "leaf") : esc(name)).append("\\n").append(shape).append("\"];\n");
                continue;
            }
            boolean isOut = t == y;
            Tensor[] in = n.inputs();
            boolean mixes = false;
            for (int i = 0; i < in.length; i++) if (in[i] != null && !perSample(n, i)) mixes = true;
            anyMixing |= mixes;
            String site = n.site();
            sb.append("  ").append(id).append(" [shape=box, style=\"rounded,filled\", fillcolor=\"").append(isOut ? "#009E73" : "#56B4E9")
                    .append("\", label=\"").append(esc(n.primitive().name())).append(name == null ? "" : " = " + esc(name))
                    .append("\\n").append(shape).append(mixes && site != null ? "\\n" + esc(site) : "").append("\"")
                    .append(site == null ? "" : ", tooltip=\"" + esc(site) + "\"").append("];\n");
            for (int i = 0; i < in.length; i++) {
                Tensor a = in[i];
                if (a == null) continue;
                boolean fresh = !ids.containsKey(a);
                String aid = id(a, ids);
                boolean perSample = perSample(n, i);
                sb.append("  ").append(aid).append(" -> ").append(id)
                        .append(perSample ? "" : " [color=\"#D55E00\", style=dashed, penwidth=1.6, tooltip=\"mixes samples\"]").append(";\n");
                if (fresh) todo.push(a);
            }
        }
        if (anyMixing) legend(sb);
        return sb.append("}\n").toString();
    }

    private static boolean perSample(Node n, int i) {
        try {
            return n.primitive().perSample(n, i);
        } catch (RuntimeException e) {
            return true;
        }
    }

    /** A boxed legend of the two edge styles. */
    private static void legend(StringBuilder sb) {
        sb.append("  subgraph cluster_legend {\n    label=\"edges\"; fontsize=10; fontname=\"Helvetica\"; style=dashed; color=\"#999999\";\n")
                .append("    node [shape=point, width=0.05];\n    lp0 -> lp1 [label=\" row i from row i (per sample)\", fontsize=9];\n")
                .append("    lm0 -> lm1 [label=\" row i from other rows (mixes samples or shared weight)\", fontsize=9, color=\"#D55E00\", style=dashed, penwidth=1.6];\n")
                .append("  }\n");
    }

    /** Length of the longest chain of recorded ops above {@code y}. */
    static int depth(Tensor y) {
        Map<Tensor, Integer> memo = new IdentityHashMap<>();
        Deque<Tensor> todo = new ArrayDeque<>();
        java.util.Set<Tensor> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        todo.push(y);
        while (!todo.isEmpty()) {                      // post-order without recursion (tapes can be deep)
            Tensor t = todo.peek();
            if (seen.add(t)) {
                if (t.node() != null) for (Tensor a : t.node().inputs()) if (a != null && !seen.contains(a)) todo.push(a);
            } else {
                todo.pop();
                int d = 0;
                if (t.node() != null) for (Tensor a : t.node().inputs()) if (a != null) d = Math.max(d, memo.getOrDefault(a, 0) + 1);
                memo.put(t, t.node() == null ? 0 : d);
            }
        }
        return memo.getOrDefault(y, 0);
    }

    private static String id(Tensor t, Map<Tensor, String> ids) { return ids.computeIfAbsent(t, k -> "t" + ids.size()); }

    private static String esc(String s) { return s.replace("\\", "\\\\").replace("\"", "\\\""); }

    static BufferedImage render(String dot) {
        try {
            Process p = new ProcessBuilder("dot", "-Tpng", "-Gdpi=96").redirectErrorStream(false).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(dot.getBytes(StandardCharsets.UTF_8));
            }
            byte[] png;
            try (InputStream out = p.getInputStream()) {
                png = out.readAllBytes();
            }
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("graph: Graphviz dot did not finish in 30 s");
            }
            if (p.exitValue() != 0 || png.length == 0)
                throw new IllegalStateException("graph: Graphviz dot failed (exit " + p.exitValue() + "): " + err);
            return ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new UncheckedIOException("graph: cannot run Graphviz 'dot' (install it: apt-get install -y graphviz): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("graph: interrupted while waiting for Graphviz dot", e);
        }
    }
}
