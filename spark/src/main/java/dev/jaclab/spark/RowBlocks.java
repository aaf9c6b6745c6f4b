package dev.jaclab.spark;

import dev.jaclab.nd.DType;
import java.io.Serializable;
import java.util.zip.CRC32;

/**
 * One partition's result: the blocks of samples [from, to) as (to − from, m, n) values, carried back to the driver
 * ({@code values} set) or written to a shard file ({@code file} set, values left on the executor). {@code crc} is a
 * CRC-32 of the values' float32 (or float64) bits, so the driver can check a shard against what its task computed.
 * {@code peakRssMib} is the executor process's peak resident memory when the task ended (-1 off Linux);
 * {@code blockCpuSeconds} the CPU time of the task's thread on the blocks (all of it with one thread per partition,
 * and not slowed by other work sharing the cores, unlike {@code blockSeconds}).
 */
public record RowBlocks(int partition, long from, long to, long m, long n, DType dtype, double[] values, String file, long crc,
                 String executor, double forwardSeconds, double blockSeconds, double blockCpuSeconds, long peakRssMib) implements Serializable {

    long rows() { return to - from; }

    static long crc(DType t, double[] v) {
        CRC32 c = new CRC32();
        byte[] b = new byte[8];
        for (double d : v) {
            long bits = t == DType.FLOAT32 ? Float.floatToIntBits((float) d) & 0xffffffffL : Double.doubleToLongBits(d);
            int k = t == DType.FLOAT32 ? 4 : 8;
            for (int i = 0; i < k; i++) b[i] = (byte) (bits >>> (8 * i));
            c.update(b, 0, k);
        }
        return c.getValue();
    }

    /** CPU seconds of the calling thread so far. */
    static double threadCpuSeconds() { return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1e9; }

    /** This process's peak resident set (VmHWM) in MiB, -1 where /proc is missing. */
    static long processPeakRssMib() {
        try {
            for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")))
                if (l.startsWith("VmHWM")) return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024;
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    RowBlocks withoutValues(String fileName) {
        return new RowBlocks(partition, from, to, m, n, dtype, null, fileName, crc, executor, forwardSeconds, blockSeconds, blockCpuSeconds, peakRssMib);
    }
}
