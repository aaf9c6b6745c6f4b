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
 * leaf (named when given, orange when it requires grad), edges in data-flow order. Ops that mix samples through an
 * input draw that edge dashed and red. Layout is Graphviz {@code dot} (Debian package {@code graphviz}).
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

    static String dot(Tensor y, Map<String, Tensor> names) {
        Map<Tensor, String> label = new IdentityHashMap<>();
        names.forEach((k, v) -> label.put(v, k));
        Map<Tensor, String> ids = new IdentityHashMap<>();
        StringBuilder sb = new StringBuilder("digraph tape {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=11];\n"
                + "  edge [color=\"#555555\"];\n");
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
            sb.append("  ").append(id).append(" [shape=box, style=\"rounded,filled\", fillcolor=\"").append(isOut ? "#009E73" : "#56B4E9")
                    .append("\", label=\"").append(esc(n.primitive().name())).append(name == null ? "" : " = " + esc(name))
                    .append("\\n").append(shape).append("\"];\n");
            Tensor[] in = n.inputs();
            for (int i = 0; i < in.length; i++) {
                Tensor a = in[i];
                if (a == null) continue;
                boolean fresh = !ids.containsKey(a);
                String aid = id(a, ids);
                boolean perSample;
                try {
                    perSample = n.primitive().perSample(n, i);
                } catch (RuntimeException e) {
                    perSample = true;
                }
                sb.append("  ").append(aid).append(" -> ").append(id)
                        .append(perSample ? "" : " [color=\"#D55E00\", style=dashed, penwidth=1.6, tooltip=\"mixes samples\"]").append(";\n");
                if (fresh) todo.push(a);
            }
        }
        return sb.append("}\n").toString();
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
