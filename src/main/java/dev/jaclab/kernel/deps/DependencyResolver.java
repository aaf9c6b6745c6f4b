package dev.jaclab.kernel.deps;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.maven.repository.internal.MavenRepositorySystemUtils;
import org.eclipse.aether.DefaultRepositorySystemSession;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.graph.DependencyNode;
import org.eclipse.aether.repository.LocalRepository;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.repository.WorkspaceReader;
import org.eclipse.aether.repository.WorkspaceRepository;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.resolution.DependencyResult;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.transfer.AbstractTransferListener;
import org.eclipse.aether.transfer.TransferEvent;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;

/**
 * Resolves Maven coordinates and POM fragments with their transitive dependencies by Apache Maven Resolver, the
 * library Maven itself runs on: POMs are read by Maven's model builder (parents, properties, managed versions,
 * BOM imports), versions are mediated nearest-first, and the user's {@link MavenSettings} decide the local
 * repository, mirrors, proxies, credentials and offline mode.
 *
 * <pre>{@code
 * DependencyResolver r = new DependencyResolver(MavenSettings.load());
 * List<DependencyResolver.Jar> jars = r.resolve(List.of(DependencyResolver.coordinates("org.apache.commons:commons-text:1.10.0")));
 * // commons-text-1.10.0.jar and commons-lang3-3.12.0.jar, each with the chain that needed it
 * }</pre>
 */
public final class DependencyResolver {
    private final MavenSettings settings;
    private final RepositorySystem system;
    private final DefaultRepositorySystemSession session;
    private final Map<String, File> cellPoms = new LinkedHashMap<>();
    private final AtomicLong downloadedBytes = new AtomicLong();
    private final AtomicLong downloads = new AtomicLong();

    /** A resolved jar: its coordinates, file, and the chain of artifacts that asked for it (first = requested). */
    public record Jar(String groupId, String artifactId, String version, String classifier, File file, List<String> neededBy) {
        /** {@code group:artifact:version[:classifier]}. */
        public String coordinates() {
            return groupId + ":" + artifactId + ":" + version + (classifier.isEmpty() ? "" : ":" + classifier);
        }

        /** {@code group:artifact}, the key under which versions conflict. */
        public String key() { return groupId + ":" + artifactId; }
    }

    public DependencyResolver(MavenSettings settings) {
        this.settings = settings;
        this.system = new RepositorySystemSupplier().get();
        session = MavenRepositorySystemUtils.newSession();
        session.setLocalRepositoryManager(system.newLocalRepositoryManager(session, new LocalRepository(settings.localRepository())));
        session.setMirrorSelector(settings.mirrors());
        session.setProxySelector(settings.proxies());
        session.setAuthenticationSelector(settings.credentials());
        session.setOffline(settings.offline());
        Properties props = new Properties();
        System.getenv().forEach((k, v) -> props.setProperty("env." + k, v));
        props.putAll(System.getProperties());
        session.setSystemProperties(props);
        session.setConfigProperties(props);
        session.setWorkspaceReader(new CellPoms());
        session.setTransferListener(new AbstractTransferListener() {
            @Override public void transferSucceeded(TransferEvent event) {
                if (event.getRequestType() == TransferEvent.RequestType.GET) {
                    downloads.incrementAndGet();
                    downloadedBytes.addAndGet(event.getTransferredBytes());
                }
            }
        });
    }

    public MavenSettings settings() { return settings; }

    /** Files and bytes downloaded so far (everything else came from the local repository). */
    public long downloads() { return downloads.get(); }

    public long downloadedBytes() { return downloadedBytes.get(); }

    /**
     * Parses {@code group:artifact:version[:classifier]} (the jar of that artifact).
     *
     * @throws DependencyException naming the text when it has another form
     */
    public static Dependency coordinates(String text) {
        String[] p = text.strip().split(":", -1);
        boolean blank = false;
        for (String s : p) blank |= s.isBlank();
        if (p.length < 3 || p.length > 4 || blank)
            throw new DependencyException("%maven: '" + text.strip() + "' is not group:artifact:version[:classifier]");
        Artifact a = new DefaultArtifact(p[0], p[1], p.length == 4 ? p[3] : "", "jar", p[2]);
        return new Dependency(a, JavaScopes.RUNTIME);
    }

    /** Resolves the dependencies (and theirs) from the settings' repositories. */
    public List<Jar> resolve(List<Dependency> dependencies) {
        CollectRequest req = new CollectRequest();
        dependencies.forEach(req::addDependency);
        req.setRepositories(system.newResolutionRepositories(session, settings.repositories()));
        String what = String.join(" ", dependencies.stream().map(d -> text(d.getArtifact())).toList());
        return run(req, "%maven: cannot resolve " + what);
    }

    /**
     * Resolves the dependencies a POM declares ({@link PomFragment#toPom} makes one from a cell), with the
     * repositories it declares added to the settings' ones.
     */
    public List<Jar> resolvePom(String pom, String artifactId) {
        File file;
        try {
            file = File.createTempFile("jaclab-" + artifactId + "-", ".pom");
            file.deleteOnExit();
            Files.writeString(file.toPath(), pom, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DependencyException("%%loadFromPOM: cannot write the POM: " + e.getMessage(), e);
        }
        synchronized (cellPoms) {
            cellPoms.put(artifactId, file);
        }
        CollectRequest req = new CollectRequest();
        req.setRoot(new Dependency(new DefaultArtifact(PomFragment.GROUP, artifactId, "pom", PomFragment.VERSION), JavaScopes.COMPILE));
        req.setRepositories(system.newResolutionRepositories(session, settings.repositories()));
        return run(req, "%%loadFromPOM: cannot resolve the cell's dependencies");
    }

    private List<Jar> run(CollectRequest req, String failure) {
        DependencyRequest dr = new DependencyRequest(req, DependencyFilterUtils.classpathFilter(JavaScopes.COMPILE, JavaScopes.RUNTIME));
        DependencyResult result;
        try {
            result = system.resolveDependencies(session, dr);
        } catch (DependencyResolutionException e) {
            throw new DependencyException(failure + ": " + reason(e), e);
        } catch (RuntimeException e) {
            throw new DependencyException(failure + ": " + reason(e), e);
        }
        Map<DependencyNode, DependencyNode> parents = new IdentityHashMap<>();
        recordParents(result.getRoot(), parents);
        List<Jar> jars = new ArrayList<>();
        for (ArtifactResult ar : result.getArtifactResults()) {
            Artifact a = ar.getArtifact();
            if (a == null || a.getFile() == null || !"jar".equals(a.getExtension())) continue;
            List<String> chain = new ArrayList<>();
            for (DependencyNode n = parents.get(ar.getRequest().getDependencyNode()); n != null && n.getArtifact() != null
                    && !PomFragment.GROUP.equals(n.getArtifact().getGroupId()); n = parents.get(n))
                chain.add(0, text(n.getArtifact()));
            jars.add(new Jar(a.getGroupId(), a.getArtifactId(), a.getBaseVersion(), a.getClassifier(), a.getFile(), chain));
        }
        return jars;
    }

    private static void recordParents(DependencyNode node, Map<DependencyNode, DependencyNode> parents) {
        for (DependencyNode child : node.getChildren()) {
            if (parents.containsKey(child)) continue;
            parents.put(child, node);
            recordParents(child, parents);
        }
    }

    static String text(Artifact a) {
        return a.getGroupId() + ":" + a.getArtifactId() + ":" + a.getBaseVersion() + (a.getClassifier().isEmpty() ? "" : ":" + a.getClassifier());
    }

    /** The innermost message of a resolution failure: which artifact, which repository, why. */
    static String reason(Throwable e) {
        String msg = e.getMessage();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) msg = t.getMessage();
            if (t.getCause() == t) break;
        }
        return msg == null ? e.toString() : msg.replaceAll("\\s+", " ").strip();
    }

    /** Serves the stand-in POMs of {@code %%loadFromPOM} cells, so they never reach the local repository. */
    private final class CellPoms implements WorkspaceReader {
        private final WorkspaceRepository repo = new WorkspaceRepository("jaclab-notebook-cells");

        @Override public WorkspaceRepository getRepository() { return repo; }

        @Override public File findArtifact(Artifact a) {
            if (!PomFragment.GROUP.equals(a.getGroupId()) || !"pom".equals(a.getExtension())) return null;
            synchronized (cellPoms) {
                return cellPoms.get(a.getArtifactId());
            }
        }

        @Override public List<String> findVersions(Artifact a) {
            return findArtifact(a) == null ? List.of() : List.of(PomFragment.VERSION);
        }
    }
}
