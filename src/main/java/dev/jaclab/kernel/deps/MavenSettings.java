package dev.jaclab.kernel.deps;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.maven.settings.Mirror;
import org.apache.maven.settings.Profile;
import org.apache.maven.settings.Repository;
import org.apache.maven.settings.RepositoryPolicy;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.building.DefaultSettingsBuilderFactory;
import org.apache.maven.settings.building.DefaultSettingsBuildingRequest;
import org.apache.maven.settings.building.SettingsBuildingException;
import org.apache.maven.settings.building.SettingsProblem;
import org.apache.maven.settings.crypto.DefaultSettingsDecrypter;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;
import org.eclipse.aether.repository.Authentication;
import org.eclipse.aether.repository.Proxy;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.util.repository.AuthenticationBuilder;
import org.eclipse.aether.util.repository.DefaultAuthenticationSelector;
import org.eclipse.aether.util.repository.DefaultMirrorSelector;
import org.eclipse.aether.util.repository.DefaultProxySelector;
import org.sonatype.plexus.components.cipher.DefaultPlexusCipher;
import org.sonatype.plexus.components.sec.dispatcher.DefaultSecDispatcher;

/**
 * The Maven settings the resolver honours, read the way Maven reads them: the user's {@code ~/.m2/settings.xml}
 * over the installation's {@code conf/settings.xml}, with passwords decrypted through
 * {@code ~/.m2/settings-security.xml}. Gives the local repository, offline mode, mirrors, proxies, server
 * credentials and the remote repositories: Maven Central plus those of the profiles listed in
 * {@code <activeProfiles>} or active by default.
 *
 * <p>{@code JACLAB_MAVEN_SETTINGS} names another user settings file; {@code -Dmaven.repo.local=DIR} (in
 * {@code JACLAB_JVM_OPTS}) overrides the local repository, as it does for {@code mvn}.
 *
 * <pre>{@code
 * MavenSettings s = MavenSettings.load();
 * s.localRepository();        // ~/.m2/repository unless settings.xml says otherwise
 * s.repositories();           // [central (https://repo.maven.apache.org/maven2/, default, releases), ...]
 * }</pre>
 */
public final class MavenSettings {
    /** Maven Central, as Maven's super POM names it. */
    public static final String CENTRAL_URL = "https://repo.maven.apache.org/maven2/";

    private final File localRepository;
    private final boolean offline;
    private final DefaultMirrorSelector mirrors = new DefaultMirrorSelector();
    private final DefaultProxySelector proxies = new DefaultProxySelector();
    private final DefaultAuthenticationSelector credentials = new DefaultAuthenticationSelector();
    private final List<RemoteRepository> repositories = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    private MavenSettings(Settings s, List<String> warnings) {
        this.warnings.addAll(warnings);
        String local = System.getProperty("maven.repo.local");
        if (local == null || local.isBlank()) local = s.getLocalRepository();
        localRepository = local == null || local.isBlank()
                ? new File(System.getProperty("user.home"), ".m2/repository") : new File(local).getAbsoluteFile();
        offline = s.isOffline();
        for (Mirror m : s.getMirrors())
            mirrors.add(m.getId(), m.getUrl(), m.getLayout(), false, m.isBlocked(), m.getMirrorOf(), m.getMirrorOfLayouts());
        for (org.apache.maven.settings.Proxy p : s.getProxies()) {
            if (!p.isActive()) continue;
            Authentication auth = p.getUsername() == null ? null
                    : new AuthenticationBuilder().addUsername(p.getUsername()).addPassword(p.getPassword()).build();
            proxies.add(new Proxy(p.getProtocol(), p.getHost(), p.getPort(), auth), p.getNonProxyHosts());
        }
        for (Server server : s.getServers()) {
            AuthenticationBuilder b = new AuthenticationBuilder().addUsername(server.getUsername()).addPassword(server.getPassword());
            if (server.getPrivateKey() != null) b.addPrivateKey(server.getPrivateKey(), server.getPassphrase());
            credentials.add(server.getId(), b.build());
        }
        repositories.add(new RemoteRepository.Builder("central", "default", CENTRAL_URL)
                .setSnapshotPolicy(new org.eclipse.aether.repository.RepositoryPolicy(false, null, null)).build());
        for (Profile p : s.getProfiles()) {
            boolean active = s.getActiveProfiles().contains(p.getId())
                    || (p.getActivation() != null && p.getActivation().isActiveByDefault());
            if (active) for (Repository r : p.getRepositories()) repositories.add(remote(r));
        }
    }

    private static RemoteRepository remote(Repository r) {
        return new RemoteRepository.Builder(r.getId(), r.getLayout(), r.getUrl())
                .setReleasePolicy(policy(r.getReleases())).setSnapshotPolicy(policy(r.getSnapshots())).build();
    }

    private static org.eclipse.aether.repository.RepositoryPolicy policy(RepositoryPolicy p) {
        if (p == null) return new org.eclipse.aether.repository.RepositoryPolicy();
        return new org.eclipse.aether.repository.RepositoryPolicy(p.isEnabled(), p.getUpdatePolicy(), p.getChecksumPolicy());
    }

    /** Reads the user's and the installation's settings (either may be absent). */
    public static MavenSettings load() {
        String env = System.getenv("JACLAB_MAVEN_SETTINGS");
        File user = env != null && !env.isBlank() ? new File(env)
                : new File(System.getProperty("user.home"), ".m2/settings.xml");
        if (env != null && !env.isBlank() && !user.isFile())
            throw new DependencyException("JACLAB_MAVEN_SETTINGS names " + user.getAbsolutePath() + ", which is not a file");
        return load(user, globalSettingsFile());
    }

    /** Reads the given user and global settings files (either may be null or absent). */
    public static MavenSettings load(File userSettings, File globalSettings) {
        DefaultSettingsBuildingRequest req = new DefaultSettingsBuildingRequest();
        if (userSettings != null) req.setUserSettingsFile(userSettings);
        if (globalSettings != null) req.setGlobalSettingsFile(globalSettings);
        Properties props = new Properties();
        System.getenv().forEach((k, v) -> props.setProperty("env." + k, v));
        props.putAll(System.getProperties());
        req.setSystemProperties(props);
        Settings settings;
        List<String> warnings = new ArrayList<>();
        try {
            var result = new DefaultSettingsBuilderFactory().newInstance().build(req);
            settings = result.getEffectiveSettings();
            for (SettingsProblem p : result.getProblems()) warnings.add("Maven settings: " + p.getMessage() + " (" + p.getLocation() + ")");
        } catch (SettingsBuildingException e) {
            List<String> msgs = new ArrayList<>();
            for (SettingsProblem p : e.getProblems()) msgs.add(p.getMessage() + " (" + p.getLocation() + ")");
            throw new DependencyException("cannot read the Maven settings: " + String.join("; ", msgs));
        }
        String security = System.getProperty("settings.security",
                new File(System.getProperty("user.home"), ".m2/settings-security.xml").getPath());
        var decrypter = new DefaultSettingsDecrypter(new DefaultSecDispatcher(new DefaultPlexusCipher(), Map.of(), security));
        SettingsDecryptionResult dec = decrypter.decrypt(new DefaultSettingsDecryptionRequest(settings));
        for (SettingsProblem p : dec.getProblems()) warnings.add("Maven settings: " + p.getMessage());
        settings.setServers(dec.getServers());
        settings.setProxies(dec.getProxies());
        return new MavenSettings(settings, warnings);
    }

    /** The installation's settings: {@code $MAVEN_HOME/conf/settings.xml}, else next to the {@code mvn} on PATH. */
    static File globalSettingsFile() {
        for (String var : new String[] {"MAVEN_HOME", "M2_HOME"}) {
            String home = System.getenv(var);
            if (home != null && !home.isBlank()) return new File(home, "conf/settings.xml");
        }
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String dir : path.split(File.pathSeparator)) {
            File mvn = new File(dir, "mvn");
            if (!mvn.isFile()) continue;
            try {
                File conf = new File(mvn.getCanonicalFile().getParentFile().getParentFile(), "conf/settings.xml");
                return conf.isFile() ? conf : null;
            } catch (java.io.IOException e) {
                return null;
            }
        }
        return null;
    }

    public File localRepository() { return localRepository; }

    public boolean offline() { return offline; }

    public DefaultMirrorSelector mirrors() { return mirrors; }

    public DefaultProxySelector proxies() { return proxies; }

    public DefaultAuthenticationSelector credentials() { return credentials; }

    /** Central first, then the repositories of active profiles (before mirrors are applied). */
    public List<RemoteRepository> repositories() { return List.copyOf(repositories); }

    /** Problems found while reading the settings that did not stop it. */
    public List<String> warnings() { return List.copyOf(warnings); }
}
