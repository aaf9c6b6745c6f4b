package dev.jaclab.nd;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The one place that configures ND4J and JavaCPP before first use, and reports what backend runs.
 *
 * <p>Native libraries (~400 MB) are unpacked once into {@link #cacheDir()}: by default
 * {@code $XDG_CACHE_HOME/jaclab/javacpp} (or {@code ~/.cache/jaclab/javacpp}); override with
 * {@code -Dorg.bytedeco.javacpp.cachedir=DIR} or the environment variable {@code JACLAB_CACHE_DIR}.
 * Off-heap memory may grow to 80% of physical RAM unless {@code org.bytedeco.javacpp.maxbytes} is set.
 *
 * <pre>{@code
 * System.out.println(Backend.describe());   // "ND4J CPU backend (OPENBLAS), 2 threads, float32 default"
 * }</pre>
 */
public final class Backend {
    private static volatile boolean configured;

    private Backend() {}

    /** Sets JavaCPP/ND4J properties once; called before any ND4J class is touched. */
    public static synchronized void configure() {
        if (configured) return;
        configured = true;
        if (System.getProperty("org.bytedeco.javacpp.cachedir") == null)
            System.setProperty("org.bytedeco.javacpp.cachedir", cacheDir().toString());
        long ram = physicalRam();
        if (ram > 0) {
            if (System.getProperty("org.bytedeco.javacpp.maxbytes") == null)
                System.setProperty("org.bytedeco.javacpp.maxbytes", Long.toString(ram * 8 / 10));
            if (System.getProperty("org.bytedeco.javacpp.maxphysicalbytes") == null)
                System.setProperty("org.bytedeco.javacpp.maxphysicalbytes", Long.toString(ram * 9 / 10));
        }
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null
                && System.getenv("JACLAB_LOG_LEVEL") != null)
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getenv("JACLAB_LOG_LEVEL"));
    }

    /** Where JavaCPP unpacks its native libraries. */
    public static Path cacheDir() {
        String prop = System.getProperty("org.bytedeco.javacpp.cachedir");
        if (prop != null) return Paths.get(prop);
        String env = System.getenv("JACLAB_CACHE_DIR");
        if (env != null && !env.isBlank()) return Paths.get(env);
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Paths.get(xdg) : Paths.get(System.getProperty("user.home"), ".cache");
        return base.resolve("jaclab").resolve("javacpp");
    }

    /** Total physical memory in bytes, from /proc/meminfo (0 when unknown). */
    public static long physicalRam() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo")))
                if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        } catch (Exception ignored) {
            // not Linux: leave JavaCPP's own defaults
        }
        return 0;
    }

    /** "CPU" or "CUDA". */
    public static String kind() {
        NdArray.ensureLoaded();
        String name = org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getSimpleName();
        return name.toUpperCase().contains("CUDA") || name.toUpperCase().contains("JCUBLAS") ? "CUDA" : "CPU";
    }

    /** Threads ND4J uses for BLAS. */
    public static int threads() {
        NdArray.ensureLoaded();
        return org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads();
    }

    /** Bytes JavaCPP currently holds off-heap (physical and as counted by JavaCPP). */
    public static long offHeapPhysicalBytes() { return org.bytedeco.javacpp.Pointer.physicalBytes(); }

    public static long offHeapTotalBytes() { return org.bytedeco.javacpp.Pointer.totalBytes(); }

    /** One line for banners, reports and CSVs. */
    public static String describe() {
        NdArray.ensureLoaded();
        var env = org.nd4j.linalg.factory.Nd4j.getExecutioner().getEnvironmentInformation();
        Object blas = env.get("blas.vendor");
        return "ND4J " + kind() + " backend" + (blas != null ? " (" + blas + ")" : "") + ", " + threads() + " threads";
    }
}
