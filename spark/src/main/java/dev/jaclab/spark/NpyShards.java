package dev.jaclab.spark;

import dev.jaclab.nd.DType;
import dev.jaclab.nd.NdArray;
import dev.jaclab.tensor.Tensor;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A directory of per-sample Jacobian blocks as NumPy {@code .npy} shards, one per partition of sample rows
 * ({@code part-00000.npy} of shape (rows, m, n), written by ND4J's NumPy writer), and {@code shards.csv}
 * ({@code file,from,to,m,n,dtype,crc32}) written last by the driver once every partition is checked. A directory
 * without {@code shards.csv} is an unfinished run. In Python: {@code np.concatenate([np.load(f) for f in files])}.
 *
 * <pre>{@code
 * Tensor J = NpyShards.read(Path.of("/shared/blocks"));   // (N, m, n), the shards in order
 * }</pre>
 */
public final class NpyShards {
    static final String INDEX = "shards.csv";

    private NpyShards() {}

    static String fileName(int partition) { return String.format("part-%05d.npy", partition); }

    /**
     * Writes one shard atomically: a hidden temporary file named after the task attempt, then a rename onto the final
     * name, so a reader never sees a partial shard and a retried attempt replaces, never duplicates.
     */
    static void write(Path dir, int partition, long attempt, DType t, double[] values, long... shape) {
        Path tmp = dir.resolve("." + fileName(partition) + "." + attempt + ".tmp");
        Path dst = dir.resolve(fileName(partition));
        INDArray a = t == DType.FLOAT32 ? Nd4j.create(toFloats(values), shape, 'c') : Nd4j.create(values, shape, 'c');
        try {
            Nd4j.writeAsNumpy(a, tmp.toFile());
            try {
                Files.move(tmp, dst, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the shard directory " + dir + " does not support atomic renames", e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing shard " + dst + ": " + e.getMessage(), e);
        } finally {
            a.close();
        }
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    /** Values and shape of one shard file. */
    static double[] load(Path file, long[] shapeOut) {
        INDArray a = Nd4j.createFromNpyFile(file.toFile());
        try {
            long[] s = a.shape();
            System.arraycopy(s, 0, shapeOut, 0, Math.min(s.length, shapeOut.length));
            if (s.length != shapeOut.length) throw new IllegalStateException("shard " + file + " has shape " + Arrays.toString(s) + ", expected rank " + shapeOut.length);
            return a.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble();
        } finally {
            a.close();
        }
    }

    /** Checks a shard against its task's result: shape (rows, m, n) and the CRC-32 of its values. */
    static void verify(Path dir, RowBlocks r) {
        Path f = dir.resolve(r.file());
        if (!Files.isRegularFile(f)) throw new IllegalStateException("shard " + f + " of rows [" + r.from() + ", " + r.to() + ") is missing");
        long[] s = new long[3];
        double[] v = load(f, s);
        if (s[0] != r.rows() || s[1] != r.m() || s[2] != r.n())
            throw new IllegalStateException("shard " + f + " has shape " + Arrays.toString(s) + ", expected [" + r.rows() + ", " + r.m() + ", " + r.n() + "]");
        if (RowBlocks.crc(r.dtype(), v) != r.crc()) throw new IllegalStateException("shard " + f + " does not hold the values its task computed (CRC-32 differs)");
    }

    /** Writes the index last (atomically): the directory is complete from then on. */
    static void writeIndex(Path dir, List<RowBlocks> parts) {
        StringBuilder s = new StringBuilder("file,from,to,m,n,dtype,crc32\n");
        for (RowBlocks r : parts)
            s.append(r.file()).append(',').append(r.from()).append(',').append(r.to()).append(',').append(r.m()).append(',').append(r.n())
                    .append(',').append(r.dtype()).append(',').append(Long.toHexString(r.crc())).append('\n');
        try {
            Path tmp = dir.resolve("." + INDEX + ".tmp");
            Files.writeString(tmp, s);
            Files.move(tmp, dir.resolve(INDEX), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + dir.resolve(INDEX) + ": " + e.getMessage(), e);
        }
    }

    /** All blocks of a finished directory, in sample order: (N, m, n) in the shards' dtype. */
    public static Tensor read(Path dir) {
        Path index = dir.resolve(INDEX);
        if (!Files.isRegularFile(index)) throw new IllegalArgumentException("NpyShards: " + dir + " has no " + INDEX + " (not a finished run)");
        List<String[]> rows = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(index);
            for (String l : lines.subList(1, lines.size())) if (!l.isBlank()) rows.add(l.split(","));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long m = Long.parseLong(rows.get(0)[3]), n = Long.parseLong(rows.get(0)[4]);
        DType t = rows.get(0)[5].equals("float64") ? DType.FLOAT64 : DType.FLOAT32;
        long total = Long.parseLong(rows.get(rows.size() - 1)[2]);
        double[] all = new double[Math.toIntExact(total * m * n)];
        long expect = 0;
        for (String[] r : rows) {
            long from = Long.parseLong(r[1]), to = Long.parseLong(r[2]);
            if (from != expect) throw new IllegalStateException("NpyShards: " + r[0] + " starts at row " + from + ", expected " + expect);
            long[] s = new long[3];
            double[] v = load(dir.resolve(r[0]), s);
            if (s[0] != to - from || s[1] != m || s[2] != n) throw new IllegalStateException("NpyShards: " + r[0] + " has shape " + Arrays.toString(s));
            System.arraycopy(v, 0, all, Math.toIntExact(from * m * n), v.length);
            expect = to;
        }
        return Tensor.wrap(NdArray.fromDoubles(t, all, total, m, n));
    }

    /** Removes temporary files that failed attempts left behind. */
    static void removeTemporaries(Path dir) {
        File[] fs = dir.toFile().listFiles((d, name) -> name.startsWith(".part-") && name.endsWith(".tmp"));
        if (fs != null) for (File f : fs) f.delete();
    }
}
