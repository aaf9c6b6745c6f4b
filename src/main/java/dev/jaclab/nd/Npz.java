package dev.jaclab.nd;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * NumPy's {@code .npz} archives (what {@code numpy.savez} writes: a zip with one {@code .npy} file per array), through
 * ND4J's own NumPy reader and writer. Floating and integer arrays read as float32 or float64 (integers as float64);
 * compressed archives ({@code numpy.savez_compressed}) read too. Arrays are written as float32 or float64 {@code .npy}
 * entries that {@code numpy.load} reads back.
 *
 * <pre>{@code
 * Npz.write(Path.of("w.npz"), Map.of("w", NdArray.eye(DType.FLOAT32, 3)));
 * Map<String, NdArray> back = Npz.read(Path.of("w.npz"));   // {w=[[1,0,0],[0,1,0],[0,0,1]]}
 * }</pre>
 */
public final class Npz {
    private Npz() {}

    /** Every array of the archive by name (the entry name without ".npy"), in archive order. */
    public static Map<String, NdArray> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("npz: no such file " + file);
        Map<String, NdArray> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            var entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.isDirectory()) continue;
                String name = e.getName().endsWith(".npy") ? e.getName().substring(0, e.getName().length() - 4) : e.getName();
                byte[] bytes;
                try (InputStream in = zip.getInputStream(e)) { bytes = in.readAllBytes(); }
                INDArray a;
                try {
                    a = Nd4j.createNpyFromByteArray(bytes);
                    if (fortranOrder(bytes) && a.rank() > 1) a = fromFortran(a);
                } catch (RuntimeException bad) {
                    throw new IOException("npz: entry '" + e.getName() + "' of " + file + " is not a readable .npy array: " + bad.getMessage(), bad);
                }
                DataType t = a.dataType();
                if (t != DataType.FLOAT && t != DataType.DOUBLE) {
                    if (!t.isNumerical()) throw new IOException("npz: array '" + name + "' in " + file + " has non-numeric type " + t);
                    a = a.castTo(DataType.DOUBLE);
                }
                out.put(name, NdArray.borrow(a.ordering() == 'c' && !a.isView() ? a : a.dup('c')));
            }
        } catch (java.util.zip.ZipException notZip) {
            throw new IOException("npz: " + file + " is not a NumPy .npz archive (" + notZip.getMessage() + ")", notZip);
        }
        return out;
    }

    /** Whether the .npy header says {@code 'fortran_order': True} (ND4J's parser reads the values in C order). */
    static boolean fortranOrder(byte[] npy) {
        int len = Math.min(npy.length, 512);
        String header = new String(npy, 0, len, java.nio.charset.StandardCharsets.ISO_8859_1);
        int end = header.indexOf('}');
        return (end < 0 ? header : header.substring(0, end)).replace(" ", "").contains("'fortran_order':True");
    }

    /** Column-major values that were read as row-major of the same shape: reinterpret and pack in C order. */
    private static INDArray fromFortran(INDArray readAsC) {
        long[] s = readAsC.shape(), rev = new long[s.length];
        int[] perm = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            rev[i] = s[s.length - 1 - i];
            perm[i] = s.length - 1 - i;
        }
        return readAsC.reshape('c', rev).permute(perm).dup('c');
    }

    /** Writes the arrays as an uncompressed archive ({@code numpy.load(file)["name"]} reads each back). */
    public static void write(Path file, Map<String, NdArray> arrays) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, NdArray> e : arrays.entrySet()) {
                if (e.getKey().isEmpty() || e.getKey().contains("/"))
                    throw new IllegalArgumentException("npz: array name '" + e.getKey() + "' must be non-empty and contain no '/'");
                INDArray a = e.getValue().a;
                if (a.rank() == 0) throw new IllegalArgumentException("npz: array '" + e.getKey() + "' is a scalar; store it with shape (1)");
                byte[] npy = Nd4j.toNpyByteArray(a.ordering() == 'c' && !a.isView() ? a : a.dup('c'));
                zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
                zip.write(npy);
                zip.closeEntry();
            }
        }
    }
}
