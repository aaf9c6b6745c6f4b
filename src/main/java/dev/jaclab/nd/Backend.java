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
 * <p>Backend choice: the CPU backend is built by default; {@code mvn -Pcuda} (or {@code ./install.sh --cuda}) builds
 * ND4J's CUDA 11.6 backend instead. {@code JACLAB_BACKEND=cuda} demands CUDA and fails with a clear message when it is
 * not available; {@code JACLAB_BACKEND=cpu} forces the CPU backend when both are on the class path.
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
        String wanted = requested();
        if (wanted.equals("cuda") && !cudaOnClassPath())
            throw new IllegalStateException("JACLAB_BACKEND=cuda, but the ND4J CUDA backend is not on the class path: build with "
                    + "'mvn -Pcuda package' or './install.sh --cuda' (needs a CUDA 11.6 runtime and an NVIDIA GPU); unset JACLAB_BACKEND to use the CPU");
        if (wanted.equals("cpu") && cudaOnClassPath()) System.setProperty("BACKEND_PRIORITY_GPU", "0");
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

    /** The backend asked for by {@code JACLAB_BACKEND} (or {@code -Djaclab.backend}): "cpu", "cuda" or "auto". */
    public static String requested() {
        String v = System.getProperty("jaclab.backend", System.getenv("JACLAB_BACKEND"));
        if (v == null || v.isBlank()) return "auto";
        v = v.trim().toLowerCase();
        if (!v.equals("cpu") && !v.equals("cuda") && !v.equals("auto"))
            throw new IllegalArgumentException("JACLAB_BACKEND must be cpu, cuda or auto, not '" + v + "'");
        return v;
    }

    /** Whether ND4J's CUDA backend classes are on the class path. */
    public static boolean cudaOnClassPath() {
        try {
            Class.forName("org.nd4j.linalg.jcublas.JCublasBackend", false, Backend.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Loads ND4J and checks that the backend asked for is the one that loaded. */
    public static void check() {
        String kind = kind();
        if (requested().equals("cuda") && !kind.equals("CUDA"))
            throw new IllegalStateException("JACLAB_BACKEND=cuda, but ND4J loaded its " + kind + " backend (no usable GPU or CUDA 11.6 runtime?)");
    }

    /** Prints {@link #describe()}: {@code java -cp target/jaclab-all.jar dev.jaclab.nd.Backend}. */
    public static void main(String[] args) {
        try {
            configure();
            check();
            System.out.println(describe());
        } catch (RuntimeException e) {
            System.err.println("jaclab: " + e.getMessage());
            System.exit(2);
        }
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

    private static volatile long physicalRam = -1;

    /** Total physical memory in bytes, from /proc/meminfo (0 when unknown); read once (every Jacobian asks). */
    public static long physicalRam() {
        if (physicalRam < 0) physicalRam = readPhysicalRam();
        return physicalRam;
    }

    private static long readPhysicalRam() {
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
        Object devices = env.get("cuda.devicesInformation");
        return "ND4J " + kind() + " backend" + (blas != null ? " (" + blas + ")" : "") + ", " + threads() + " threads"
                + (devices != null ? ", devices " + devices : ", " + Runtime.getRuntime().availableProcessors() + " cores, "
                + physicalRam() / (1024 * 1024 * 1024) + " GiB RAM");
    }
}
