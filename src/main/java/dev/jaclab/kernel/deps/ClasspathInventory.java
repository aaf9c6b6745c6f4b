package dev.jaclab.kernel.deps;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.util.Enumeration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * What JacLab's own class path already provides, so that a library loaded into the notebook is not silently
 * shadowed: the kernel's class loader asks JacLab's class path first, so a second copy of a library JacLab carries
 * (another version of commons-lang3, guava, ...) would never be used.
 *
 * <p>Libraries are known by {@code META-INF/jaclab/libraries.txt}, the list of the libraries JacLab's build bundles
 * unrelocated (Maven's dependency list); without it, by the {@code META-INF/maven/GROUP/ARTIFACT/pom.properties}
 * files of the jars on the class path. Classes are checked by asking the class loader.
 *
 * <pre>{@code
 * ClasspathInventory own = ClasspathInventory.of(ClassLoader.getSystemClassLoader());
 * own.version("org.apache.commons:commons-lang3");     // "3.11": JacLab brings it through ND4J
 * own.shadowedClasses(new File("commons-lang3-3.14.0.jar"));   // how many of its classes JacLab's copy hides
 * }</pre>
 */
public final class ClasspathInventory {
    /** The resource the build writes (maven-dependency-plugin's list goal, see pom.xml). */
    static final String LIBRARIES = "META-INF/jaclab/libraries.txt";

    private final ClassLoader loader;
    private final Map<String, String> versions = new TreeMap<>();

    private ClasspathInventory(ClassLoader loader) { this.loader = loader; }

    /** The libraries visible to {@code loader} (the kernel passes the system class loader: JacLab's class path). */
    public static ClasspathInventory of(ClassLoader loader) {
        ClasspathInventory inv = new ClasspathInventory(loader);
        try {
            Enumeration<URL> lists = loader.getResources(LIBRARIES);
            while (lists.hasMoreElements()) inv.readList(lists.nextElement());
            if (!inv.versions.isEmpty()) return inv;
            Enumeration<URL> manifests = loader.getResources("META-INF/MANIFEST.MF");
            while (manifests.hasMoreElements()) {
                URL url = manifests.nextElement();
                if (!"jar".equals(url.getProtocol())) continue;
                File jar = new File(((JarURLConnection) url.openConnection()).getJarFileURL().toURI());
                inv.scan(jar);
            }
        } catch (Exception e) {
            throw new DependencyException("cannot list the libraries on JacLab's class path: " + e, e);
        }
        return inv;
    }

    /** Lines {@code   group:artifact:type[:classifier]:version:scope[ -- module ...]} of Maven's dependency list. */
    private void readList(URL list) throws IOException {
        String text;
        try (InputStream in = list.openStream()) {
            text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        for (String line : text.split("\n")) {
            String[] p = line.strip().split("\\s+", 2)[0].split(":");
            if (p.length == 5 || p.length == 6) versions.putIfAbsent(p[0] + ":" + p[1], p[p.length - 2]);
        }
    }

    private void scan(File jar) throws IOException {
        try (ZipFile z = new ZipFile(jar)) {
            Enumeration<? extends ZipEntry> entries = z.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                String n = e.getName();
                if (!n.startsWith("META-INF/maven/") || !n.endsWith("/pom.properties")) continue;
                Properties p = new Properties();
                try (InputStream in = z.getInputStream(e)) {
                    p.load(in);
                }
                String g = p.getProperty("groupId"), a = p.getProperty("artifactId"), v = p.getProperty("version");
                if (g != null && a != null && v != null) versions.putIfAbsent(g + ":" + a, v);
            }
        }
    }

    /** The version of {@code groupId:artifactId} on the class path, or null when it is not there. */
    public String version(String groupAndArtifact) { return versions.get(groupAndArtifact); }

    /** Every {@code groupId:artifactId} on the class path with its version. */
    public Map<String, String> libraries() { return Map.copyOf(versions); }

    /** Counts of the classes in {@code jar}, and of those the class path already provides (which hide the jar's). */
    public Shadowing shadowedClasses(File jar) {
        int classes = 0, shadowed = 0;
        String example = null;
        try (ZipFile z = new ZipFile(jar)) {
            Enumeration<? extends ZipEntry> entries = z.entries();
            while (entries.hasMoreElements()) {
                String n = entries.nextElement().getName();
                if (!n.endsWith(".class") || n.startsWith("META-INF/") || n.endsWith("module-info.class")
                        || n.endsWith("package-info.class")) continue;
                classes++;
                if (loader.getResource(n) != null) {
                    shadowed++;
                    if (example == null) example = n.substring(0, n.length() - 6).replace('/', '.');
                }
            }
        } catch (IOException e) {
            throw new DependencyException("cannot read " + jar + ": " + e.getMessage(), e);
        }
        return new Shadowing(classes, shadowed, example);
    }

    /** {@code shadowed} of a jar's {@code classes} are already on the class path; {@code example} names one. */
    public record Shadowing(int classes, int shadowed, String example) {}
}
