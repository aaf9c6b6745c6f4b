package dev.jaclab.kernel.deps;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What %maven counts as JacLab's own libraries: the build's list, not the pom.properties that shaded jars carry. */
class ClasspathInventoryTest {
    final ClasspathInventory own = ClasspathInventory.of(ClassLoader.getSystemClassLoader());

    @Test void bundledLibrariesWithTheVersionsMavenChose() {
        assertEquals("3.11", own.version("org.apache.commons:commons-lang3"));
        assertEquals("33.0.0-jre", own.version("com.google.guava:guava"), "not the 28.0-android that org.nd4j:guava's metadata names");
        assertEquals("1.0.0-M2.1", own.version("org.nd4j:nd4j-api"));
        assertNull(own.version("com.fasterxml.jackson.core:jackson-databind"), "ND4J bundles jackson relocated");
        assertNull(own.version("org.apache.maven.resolver:maven-resolver-api"), "relocated in the shaded jar");
        assertNull(own.version("org.apache.httpcomponents:httpclient"), "relocated in the shaded jar");
    }

    @Test void classesTheClassPathAlreadyProvides(@TempDir Path tmp) throws Exception {
        Path classes = tmp.resolve("classes");
        Path lang = classes.resolve("org/apache/commons/lang3/StringUtils.class");
        Path fresh = classes.resolve("org/example/Fresh.class");
        Files.createDirectories(lang.getParent());
        Files.createDirectories(fresh.getParent());
        Files.write(lang, new byte[] {1});
        Files.write(fresh, new byte[] {1});
        Path jar = tmp.resolve("x.jar");
        DependencyResolverTest.jar(jar, classes, "x", "x", "1");
        assertEquals(new ClasspathInventory.Shadowing(2, 1, "org.apache.commons.lang3.StringUtils"), own.shadowedClasses(jar.toFile()));
    }
}
