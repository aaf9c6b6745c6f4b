package dev.jaclab.kernel.deps;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import javax.tools.ToolProvider;

import org.eclipse.aether.repository.RemoteRepository;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real resolver against a file repository that a settings.xml mirror puts in front of Maven Central (the test
 * artifacts exist nowhere else), with the local repository the settings name: no network needed.
 */
class DependencyResolverTest {
    @TempDir Path tmp;
    Path remote, local, settingsFile;

    @BeforeEach void repositories() throws Exception {
        remote = tmp.resolve("remote");
        local = tmp.resolve("local");
        // test.lib:b:1.0 (class b.B), its "extra" classifier, and test.lib:a:1.0 (class a.A, depends on b)
        publish("test.lib", "b", "1.0", "", "", classes("b.B", "package b; public class B { public static int two() { return 2; } }"));
        publish("test.lib", "b", "1.0", "extra", null, classes("b.Extra", "package b; public class Extra {}"));
        publish("test.lib", "a", "1.0", "", dep("test.lib", "b", "1.0"),
                classes("a.A", "package a; public class A { public static int three() { return 1 + b.B.two(); } }", remote("b", "1.0")));
        settingsFile = tmp.resolve("settings.xml");
        Files.writeString(settingsFile, """
                <settings>
                  <localRepository>%s</localRepository>
                  <mirrors><mirror><id>files</id><mirrorOf>*</mirrorOf><url>%s</url></mirror></mirrors>
                  <proxies><proxy><id>corp</id><active>true</active><protocol>https</protocol><host>proxy.example</host>
                    <port>3128</port><nonProxyHosts>localhost|*.internal</nonProxyHosts></proxy></proxies>
                </settings>""".formatted(local, remote.toUri()));
    }

    MavenSettings settings() { return MavenSettings.load(settingsFile.toFile(), null); }

    @Test void transitiveDependenciesThroughTheMirrorIntoTheLocalRepository() {
        DependencyResolver r = new DependencyResolver(settings());
        List<DependencyResolver.Jar> jars = r.resolve(List.of(DependencyResolver.coordinates("test.lib:a:1.0")));
        assertEquals(List.of("test.lib:a:1.0", "test.lib:b:1.0"), jars.stream().map(DependencyResolver.Jar::coordinates).toList());
        for (DependencyResolver.Jar j : jars) assertTrue(j.file().toPath().startsWith(local), j.file() + " not in " + local);
        assertEquals(List.of(), jars.get(0).neededBy());
        assertEquals(List.of("test.lib:a:1.0"), jars.get(1).neededBy());
        assertEquals(4, r.downloads(), "a and b: pom and jar each");
    }

    @Test void classifierAndSeveralCoordinates() {
        DependencyResolver r = new DependencyResolver(settings());
        List<DependencyResolver.Jar> jars = r.resolve(List.of(DependencyResolver.coordinates("test.lib:b:1.0:extra")));
        assertEquals("test.lib:b:1.0:extra", jars.get(0).coordinates());
        assertTrue(jars.get(0).file().getName().endsWith("b-1.0-extra.jar"), jars.get(0).file().toString());
    }

    @Test void proxiesAndCentralFromTheSettings() {
        MavenSettings s = settings();
        RemoteRepository central = s.repositories().get(0);
        assertEquals(MavenSettings.CENTRAL_URL, central.getUrl());
        assertEquals("proxy.example", s.proxies().getProxy(central).getHost());
        assertEquals(3128, s.proxies().getProxy(central).getPort());
        RemoteRepository internal = new RemoteRepository.Builder("x", "default", "https://repo.internal/maven").build();
        assertNull(s.proxies().getProxy(internal), "nonProxyHosts");
        assertEquals("files", s.mirrors().getMirror(central).getId());
        assertEquals(local.toFile(), s.localRepository());
    }

    @Test void downloadsGoThroughTheSettingsProxy() throws Exception {
        // a proxy on this machine that records what it is asked and refuses it: no network needed
        try (java.net.ServerSocket proxy = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            List<String> asked = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread t = new Thread(() -> {
                while (!proxy.isClosed()) {
                    try (java.net.Socket c = proxy.accept()) {
                        var in = new java.io.BufferedReader(new java.io.InputStreamReader(c.getInputStream(), StandardCharsets.US_ASCII));
                        asked.add(in.readLine());
                        c.getOutputStream().write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            Path proxied = tmp.resolve("proxied.xml");
            Files.writeString(proxied, """
                    <settings><localRepository>%s</localRepository>
                      <proxies><proxy><id>local</id><active>true</active><protocol>https</protocol><host>127.0.0.1</host>
                        <port>%d</port></proxy></proxies>
                    </settings>""".formatted(local, proxy.getLocalPort()));
            DependencyResolver r = new DependencyResolver(MavenSettings.load(proxied.toFile(), null));
            DependencyException e = assertThrows(DependencyException.class,
                    () -> r.resolve(List.of(DependencyResolver.coordinates("test.lib:a:1.0"))));
            assertTrue(e.getMessage().startsWith("%maven: cannot resolve test.lib:a:1.0: "), e.getMessage());
            assertFalse(asked.isEmpty(), "the resolver never contacted the proxy");
            assertEquals("CONNECT repo.maven.apache.org:443 HTTP/1.1", asked.get(0));
        }
    }

    @Test void unknownCoordinatesAndBadFormsNameTheCoordinates() {
        DependencyResolver r = new DependencyResolver(settings());
        DependencyException e = assertThrows(DependencyException.class,
                () -> r.resolve(List.of(DependencyResolver.coordinates("test.lib:nope:1.0"))));
        assertTrue(e.getMessage().startsWith("%maven: cannot resolve test.lib:nope:1.0: "), e.getMessage());
        assertTrue(e.getMessage().contains("Could not find artifact test.lib:nope:jar:1.0"), e.getMessage());
        for (String bad : new String[] {"commons-text", "a:b", "a::1.0", "a:b:c:d:e"}) {
            DependencyException f = assertThrows(DependencyException.class, () -> DependencyResolver.coordinates(bad));
            assertEquals("%maven: '" + bad + "' is not group:artifact:version[:classifier]", f.getMessage());
        }
    }

    @Test void pomFragmentWithPropertiesAndManagedVersions() {
        String pom = PomFragment.toPom("""
                <properties><lib.version>1.0</lib.version></properties>
                <dependencyManagement><dependencies>
                  <dependency><groupId>test.lib</groupId><artifactId>a</artifactId><version>${lib.version}</version></dependency>
                </dependencies></dependencyManagement>
                <dependency><groupId>test.lib</groupId><artifactId>a</artifactId></dependency>
                """, "cell-1");
        DependencyResolver r = new DependencyResolver(settings());
        List<DependencyResolver.Jar> jars = r.resolvePom(pom, "cell-1");
        assertEquals(List.of("test.lib:a:1.0", "test.lib:b:1.0"), jars.stream().map(DependencyResolver.Jar::coordinates).toList());
        assertFalse(Files.exists(local.resolve("jaclab")), "the stand-in POM stays out of the local repository");
    }

    @Test void pomFragmentForms() {
        String whole = PomFragment.toPom("""
                <?xml version="1.0"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
                  <groupId>x</groupId><artifactId>y</artifactId><version>9</version>
                  <repositories><repository><id>r</id><url>https://repo.example/m2</url></repository></repositories>
                  <dependencies><dependency><groupId>g</groupId><artifactId>a</artifactId><version>1</version></dependency></dependencies>
                </project>""", "cell-2");
        assertTrue(whole.contains("<artifactId>cell-2</artifactId>") && !whole.contains("<artifactId>y</artifactId>"), whole);
        assertTrue(whole.contains("<url>https://repo.example/m2</url>"), whole);
        assertEquals("%%loadFromPOM: the cell declares no <dependency>",
                assertThrows(DependencyException.class, () -> PomFragment.toPom("<properties/>", "c")).getMessage());
        assertTrue(assertThrows(DependencyException.class, () -> PomFragment.toPom("<dependency><groupId>", "c"))
                .getMessage().startsWith("%%loadFromPOM: not well-formed XML"));
        assertTrue(assertThrows(DependencyException.class, () -> PomFragment.toPom("<build/><dependency/>x", "c"))
                .getMessage().contains("text outside any element"));
        assertTrue(assertThrows(DependencyException.class, () -> PomFragment.toPom("<plugins/>", "c"))
                .getMessage().contains("<plugins> is not part of a POM's dependencies"));
    }

    @Test void loaderAddsJarsAndReportsWhatJacLabsOwnClassPathShadows() throws Exception {
        // "JacLab's own class path": a jar that carries test.lib:b 0.9 (with its class b.B)
        Path ownJar = tmp.resolve("own.jar");
        jar(ownJar, classes("b.B", "package b; public class B { public static int two() { return 0; } }"), "test.lib", "b", "0.9");
        List<String> added = new ArrayList<>();
        try (URLClassLoader own = new URLClassLoader(new URL[] {ownJar.toUri().toURL()}, null)) {
            DependencyLoader loader = new DependencyLoader((f, c) -> added.add(c), this::settings, own);
            String[] printed = capture(() -> loader.maven("test.lib:a:1.0"));
            assertEquals(List.of("test.lib:a:1.0"), added, "b is not added: the own copy would win anyway");
            assertTrue(printed[0].contains("%maven test.lib:a:1.0: 2 jars, 4 files downloaded"), printed[0]);
            assertTrue(printed[0].contains("added      test.lib:a:1.0"), printed[0]);
            assertEquals("conflict: test.lib:b:1.0 (needed by test.lib:a:1.0) is not added: JacLab's own test.lib:b 0.9 "
                    + "comes first on the class path, so cells use 0.9\n", printed[1]);
            printed = capture(() -> loader.maven("test.lib:a:1.0"));
            assertTrue(printed[0].contains("2 jars, all from " + local), printed[0]);
            assertTrue(printed[0].contains("loaded     test.lib:a:1.0 (earlier)"), printed[0]);
            assertEquals(List.of("test.lib:a:1.0"), added);
        }
    }

    // ------------------------------------------------------------------ a file repository

    String[] capture(Runnable r) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return new String[] {o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
    }

    Path remote(String artifact, String version) {
        return remote.resolve("test/lib/" + artifact + "/" + version + "/" + artifact + "-" + version + ".jar");
    }

    static String dep(String g, String a, String v) {
        return "<dependency><groupId>" + g + "</groupId><artifactId>" + a + "</artifactId><version>" + v + "</version></dependency>";
    }

    /** Compiles one class; returns the directory of class files. */
    Path classes(String name, String source, Path... classpath) throws IOException {
        Path dir = Files.createTempDirectory(tmp, "classes");
        Path src = dir.resolve(name.replace('.', '/') + ".java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source);
        List<String> args = new ArrayList<>(List.of("-d", dir.toString()));
        if (classpath.length > 0) args.addAll(List.of("-cp", classpath[0].toString()));
        args.add(src.toString());
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(String[]::new)));
        Files.delete(src);
        return dir;
    }

    /** Writes the jar (and, with {@code deps} not null, the POM) of g:a:v[:classifier] into the file repository. */
    void publish(String g, String a, String v, String classifier, String deps, Path classes) throws IOException {
        Path dir = remote.resolve(g.replace('.', '/') + "/" + a + "/" + v);
        Files.createDirectories(dir);
        Path jar = dir.resolve(a + "-" + v + (classifier.isEmpty() ? "" : "-" + classifier) + ".jar");
        jar(jar, classes, g, a, v);
        sha1(jar);
        if (deps != null) {
            Path pom = dir.resolve(a + "-" + v + ".pom");
            Files.writeString(pom, "<project><modelVersion>4.0.0</modelVersion><groupId>" + g + "</groupId><artifactId>" + a
                    + "</artifactId><version>" + v + "</version><dependencies>" + deps + "</dependencies></project>");
            sha1(pom);
        }
    }

    /** The checksum file a repository serves next to each file. */
    static void sha1(Path file) throws IOException {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-1").digest(Files.readAllBytes(file));
            Files.writeString(file.resolveSibling(file.getFileName() + ".sha1"), java.util.HexFormat.of().formatHex(d));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void jar(Path jar, Path classes, String g, String a, String v) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().putValue("Manifest-Version", "1.0");
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os, mf)) {
            out.putNextEntry(new JarEntry("META-INF/maven/" + g + "/" + a + "/pom.properties"));
            out.write(("groupId=" + g + "\nartifactId=" + a + "\nversion=" + v + "\n").getBytes(StandardCharsets.UTF_8));
            try (var files = Files.walk(classes)) {
                for (Path p : files.filter(Files::isRegularFile).toList()) {
                    out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace(File.separatorChar, '/')));
                    out.write(Files.readAllBytes(p));
                }
            }
        }
    }
}
