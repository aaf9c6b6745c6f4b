package dev.jaclab.kernel;

/**
 * Exercises the kernel's start-up path (JShell, compiler, renderers) once and exits; {@code install.sh} runs
 * it with {@code -XX:ArchiveClassesAtExit} to build a class-data sharing archive that makes kernels start faster.
 *
 * <pre>{@code
 * java -XX:ArchiveClassesAtExit=target/cds/jaclab.jsa -cp target/jaclab-all.jar dev.jaclab.kernel.Warmup
 * }</pre>
 */
public final class Warmup {
    private Warmup() {}

    public static void main(String[] args) {
        try (JShellSession s = new JShellSession()) {
            s.eval("int x = 1;\nx + 1", 1);
            new CodeInsight(s).complete("Math.ma", 7);
            Object img = s.eval("new java.awt.image.BufferedImage(4, 4, java.awt.image.BufferedImage.TYPE_INT_RGB)", 2);
            Renderers renderers = new Renderers();
            renderers.render(img);
            renderers.render(tech.tablesaw.api.Table.create("t"));
        }
        System.exit(0);
    }
}
