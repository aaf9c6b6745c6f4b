package dev.jaclab.explore;

import dev.jaclab.nd.Backend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Samples process memory on a background daemon thread while a measurement runs: the resident set (JavaCPP
 * {@code physicalBytes}) and JavaCPP's tracked off-heap total, keeping the peaks; reads the kernel's VmHWM at the end.
 *
 * <pre>{@code
 * try (MemorySampler s = MemorySampler.start()) { work(); s.stop(); s.rssPeakBytes(); }
 * }</pre>
 */
final class MemorySampler implements AutoCloseable {
    private final long rss0, off0;
    private final boolean hwmReset;
    private volatile long rssPeak, offPeak;
    private volatile boolean running = true;
    private final Thread thread;

    private MemorySampler() {
        hwmReset = resetHwm();
        rss0 = Backend.offHeapPhysicalBytes();
        off0 = Backend.offHeapTotalBytes();
        rssPeak = rss0;
        offPeak = off0;
        thread = new Thread(() -> {
            while (running) {
                sample();
                try { Thread.sleep(1); } catch (InterruptedException e) { return; }
            }
        }, "jaclab-memory-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    static MemorySampler start() { return new MemorySampler(); }

    private void sample() {
        long r = Backend.offHeapPhysicalBytes(), o = Backend.offHeapTotalBytes();
        if (r > rssPeak) rssPeak = r;
        if (o > offPeak) offPeak = o;
    }

    void stop() {
        running = false;
        try { thread.join(1000); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
        sample();
    }

    long rssPeakBytes() { return Math.max(0, rssPeak - rss0); }

    long offHeapPeakBytes() { return Math.max(0, offPeak - off0); }

    boolean hwmReset() { return hwmReset; }

    @Override public void close() { if (running) stop(); }

    /** Writes "5" to /proc/self/clear_refs (resets VmHWM to the current RSS, Linux ≥ 4.0). */
    private static boolean resetHwm() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** VmHWM from /proc/self/status in bytes; -1 where unavailable. */
    static long vmHwmBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
