package dev.jaclab.kernel.deps;

import dev.jaclab.jacobian.Bytes;
import java.io.File;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import org.eclipse.aether.graph.Dependency;

/**
 * The kernel's {@code %maven} and {@code %%loadFromPOM}: resolves with {@link DependencyResolver}, then adds each
 * jar to the running JShell unless JacLab's own class path (or an earlier cell) already provides that library, in
 * which case it reports the conflict instead of letting the other copy silently win.
 *
 * <pre>{@code
 * %maven org.apache.commons:commons-text:1.10.0 com.google.code.gson:gson:2.11.0
 *
 * %%loadFromPOM
 * <dependency>
 *   <groupId>org.apache.commons</groupId><artifactId>commons-csv</artifactId><version>1.10.0</version>
 * </dependency>
 * }</pre>
 */
public final class DependencyLoader {
    private final BiConsumer<File, String> classpath;
    private final Supplier<MavenSettings> settings;
    private final ClassLoader ownLoader;
    private DependencyResolver resolver;
    private ClasspathInventory own;
    /** group:artifact → version of every jar added in this session. */
    private final Map<String, String> added = new LinkedHashMap<>();

    /**
     * @param classpath adds a jar (with its coordinates, for {@code %classpath}) to the running session; reports go
     *     to {@code System.out} and conflicts to {@code System.err} (the cell's output in the kernel)
     */
    public DependencyLoader(BiConsumer<File, String> classpath) {
        this(classpath, MavenSettings::load, ClassLoader.getSystemClassLoader());
    }

    /** With other settings, and another class path standing for JacLab's own. */
    DependencyLoader(BiConsumer<File, String> classpath, Supplier<MavenSettings> settings, ClassLoader own) {
        this.classpath = classpath;
        this.settings = settings;
        this.ownLoader = own;
    }

    private static PrintStream out() { return System.out; }

    private static PrintStream err() { return System.err; }

    private DependencyResolver resolver() {
        if (resolver == null) {
            MavenSettings s = settings.get();
            s.warnings().forEach(err()::println);
            resolver = new DependencyResolver(s);
        }
        return resolver;
    }

    private ClasspathInventory own() {
        if (own == null) own = ClasspathInventory.of(ownLoader);
        return own;
    }

    /** {@code %maven COORDS...}: coordinates separated by spaces or commas. */
    public void maven(String args) {
        List<Dependency> deps = new ArrayList<>();
        for (String c : args.strip().split("[\\s,]+")) if (!c.isBlank()) deps.add(DependencyResolver.coordinates(c));
        if (deps.isEmpty()) throw new DependencyException("%maven: no coordinates; usage: %maven group:artifact:version[:classifier] ...");
        List<String> names = deps.stream().map(d -> DependencyResolver.text(d.getArtifact())).toList();
        load(() -> resolver().resolve(deps), "%maven " + String.join(" ", names));
    }

    /** {@code %%loadFromPOM}: the cell's POM fragment. */
    public void loadFromPom(String body, int cellNumber) {
        String id = "cell-" + cellNumber + "-" + Long.toString(System.nanoTime(), 36);
        String pom = PomFragment.toPom(body, id);
        load(() -> resolver().resolvePom(pom, id), "%%loadFromPOM");
    }

    private void load(Supplier<List<DependencyResolver.Jar>> resolution, String what) {
        DependencyResolver r = resolver();
        long files0 = r.downloads(), bytes0 = r.downloadedBytes();
        List<DependencyResolver.Jar> jars = resolution.get();
        long files = r.downloads() - files0, bytes = r.downloadedBytes() - bytes0;
        out().printf(Locale.ROOT, "%s: %d jar%s%s%n", what, jars.size(), jars.size() == 1 ? "" : "s",
                files == 0 ? ", all from " + r.settings().localRepository() : String.format(Locale.ROOT, ", %d file%s downloaded (%s)",
                        files, files == 1 ? "" : "s", Bytes.format(bytes)));
        for (DependencyResolver.Jar jar : jars) add(jar);
    }

    private void add(DependencyResolver.Jar jar) {
        String via = jar.neededBy().isEmpty() ? "" : " (needed by " + String.join(" > ", jar.neededBy()) + ")";
        String ownVersion = own().version(jar.key());
        if (ownVersion != null) {
            if (ownVersion.equals(jar.version())) out().println("  in JacLab  " + jar.coordinates() + via);
            else err().println("conflict: " + jar.coordinates() + via + " is not added: JacLab's own " + jar.key() + " "
                    + ownVersion + " comes first on the class path, so cells use " + ownVersion);
            return;
        }
        String earlier = added.get(jar.key());
        if (earlier != null) {
            if (earlier.equals(jar.version())) out().println("  loaded     " + jar.coordinates() + " (earlier)");
            else err().println("conflict: " + jar.coordinates() + via + " is not added: " + jar.key() + ":" + earlier
                    + " was added earlier and comes first (restart the kernel to change versions)");
            return;
        }
        ClasspathInventory.Shadowing sh = own().shadowedClasses(jar.file());
        if (sh.shadowed() > 0)
            err().println("conflict: " + sh.shadowed() + " of the " + sh.classes() + " classes of " + jar.coordinates() + via
                    + " (e.g. " + sh.example() + ") are already on JacLab's class path, and cells use those");
        classpath.accept(jar.file(), jar.coordinates());
        added.put(jar.key(), jar.version());
        out().println("  added      " + jar.coordinates() + via);
    }
}
