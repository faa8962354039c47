package dev.reaper.boot;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Requires.Modifier;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Builds the module layer the agent runs in, from the agent's jar.
 *
 * <p>The jar holds two modules, unpacked under {@code META-INF/reaper/<module>/}: the agent
 * ({@value #AGENT_MODULE}) and JNA ({@code com.sun.jna}). Neither is visible to the application's
 * class loader, so an application that ships its own JNA keeps it, and the agent keeps its own. JNA
 * is a named module here, so that JDK 24+ can grant native access to it alone. Classes are read from
 * the jar as they are needed; only JNA's native library is written to a file ({@link NestedReader#find}).
 */
public final class AgentLayer {
    public static final String AGENT_MODULE = "dev.reaper";
    private static final String JNA_MODULE = "com.sun.jna";
    private static final String PREFIX = "META-INF/reaper/";

    private AgentLayer() {}

    /** The layer, built from the jar that holds {@code anchor}, with the platform class loader as parent. */
    public static ModuleLayer load(Class<?> anchor) throws IOException, URISyntaxException {
        Path jar = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        NestedModules modules = new NestedModules(new JarFile(jar.toFile()), jar.toUri());
        ModuleLayer boot = ModuleLayer.boot();
        Configuration configuration = boot.configuration().resolve(modules, ModuleFinder.of(), Set.of(AGENT_MODULE));
        return boot.defineModulesWithOneLoader(configuration, ClassLoader.getPlatformClassLoader());
    }

    /** The agent's module: what it needs from the JDK, and what JNA may reflect on. */
    private static ModuleDescriptor agentDescriptor(Set<String> packages) {
        Set<Modifier> optional = Set.of(Modifier.STATIC);
        return ModuleDescriptor.newModule(AGENT_MODULE)
                .requires(JNA_MODULE)
                .requires("java.instrument")
                .requires("java.logging") // JNA needs it anyway
                .requires(optional, "jdk.unsupported") // sun.misc.Signal; absent in some jlinked runtimes
                .requires(optional, "java.management")
                .requires(optional, "jdk.jfr")
                .requires(optional, "jdk.attach")
                .exports("dev.reaper.agent")
                .exports("dev.reaper.cli")
                .exports("dev.reaper.report") // the MBean's interface, for JMX
                .opens("dev.reaper.linux", Set.of(JNA_MODULE))
                .packages(packages)
                .build();
    }

    /** A ModuleFinder over the modules unpacked in the jar, each under its own prefix. */
    private static final class NestedModules implements ModuleFinder {
        private final Map<String, ModuleReference> modules = new HashMap<>();

        NestedModules(JarFile jar, URI jarUri) {
            Map<String, Set<String>> packages = new HashMap<>();
            Map<String, Set<String>> entries = new HashMap<>();
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (!name.startsWith(PREFIX) || name.endsWith("/")) {
                    continue;
                }
                int slash = name.indexOf('/', PREFIX.length());
                String module = name.substring(PREFIX.length(), slash);
                String path = name.substring(slash + 1);
                setOf(entries, module).add(path);
                int last = path.lastIndexOf('/');
                if (path.endsWith(".class") && last > 0 && !path.startsWith("META-INF/")) {
                    setOf(packages, module).add(path.substring(0, last).replace('/', '.'));
                }
            }
            add(ModuleDescriptor.newAutomaticModule(JNA_MODULE).packages(packages.get(JNA_MODULE)).build(), jar, jarUri, entries);
            add(agentDescriptor(packages.get(AGENT_MODULE)), jar, jarUri, entries);
        }

        /** No lambdas in this class: their first use costs a JVM about 10 ms and a few MiB. */
        private static Set<String> setOf(Map<String, Set<String>> sets, String key) {
            Set<String> set = sets.get(key);
            if (set == null) {
                set = new HashSet<>();
                sets.put(key, set);
            }
            return set;
        }

        private void add(ModuleDescriptor descriptor, JarFile jar, URI jarUri, Map<String, Set<String>> entries) {
            String prefix = PREFIX + descriptor.name() + "/";
            URI location = URI.create("jar:" + jarUri + "!/" + prefix);
            modules.put(descriptor.name(), new ModuleReference(descriptor, location) {
                @Override
                public ModuleReader open() {
                    return new NestedReader(jar, prefix, location, entries.get(descriptor.name()));
                }
            });
        }

        @Override
        public Optional<ModuleReference> find(String name) {
            return Optional.ofNullable(modules.get(name));
        }

        @Override
        public Set<ModuleReference> findAll() {
            return Set.copyOf(modules.values());
        }
    }

    /** Reads one module's entries from the jar. The jar stays open: the layer loads classes from it for the JVM's life. */
    private static final class NestedReader implements ModuleReader {
        private final JarFile jar;
        private final String prefix;
        private final URI location;
        private final Set<String> names;

        NestedReader(JarFile jar, String prefix, URI location, Set<String> names) {
            this.jar = jar;
            this.prefix = prefix;
            this.location = location;
            this.names = names;
        }

        /**
         * A native library (JNA's libjnidispatch.so, which JNA asks for by URL) is given as a file: URL
         * of a copy of its own. JNA loads a file: URL as it is; from a jar: URL it would copy the
         * library itself, to a File.createTempFile, whose first use initialises SecureRandom and the
         * JVM's security properties: about 25 ms and 1 MiB more on the agent's thread. The copy goes
         * where JNA's would, under a name that starts with "jna", so that JNA deletes it once loaded,
         * as it deletes its own. If it cannot be written, JNA gets the jar: URL and tries itself.
         */
        @Override
        public Optional<URI> find(String name) {
            if (!names.contains(name)) {
                return Optional.empty();
            }
            File copy = name.endsWith(".so") ? copy(name) : null;
            return Optional.of(copy != null ? copy.toURI() : URI.create(location + name));
        }

        private File copy(String name) {
            File dir = jnaTemporaryDirectory();
            for (int attempt = 0; attempt < 3; attempt++) {
                // unique by O_EXCL (Files.copy creates the file or fails), not by a random name
                File copy = new File(dir, "jna-reaper-" + Long.toHexString(System.nanoTime()) + ".so");
                try (InputStream in = jar.getInputStream(jar.getJarEntry(prefix + name))) {
                    Files.copy(in, copy.toPath());
                    copy.deleteOnExit(); // if JNA cannot load it (a noexec directory), JNA does not delete it
                    return copy;
                } catch (FileAlreadyExistsException taken) {
                    // another JVM's copy: try another name
                } catch (IOException | RuntimeException e) {
                    copy.delete();
                    return null;
                }
            }
            return null;
        }

        /** Where JNA unpacks its library on Linux (Native.getTempDir): jna.tmpdir, else the user's cache, else java.io.tmpdir. */
        private static File jnaTemporaryDirectory() {
            String configured = System.getProperty("jna.tmpdir");
            if (configured != null) {
                File dir = new File(configured);
                dir.mkdirs();
                return dir;
            }
            String xdg = System.getenv("XDG_CACHE_HOME");
            File cache = xdg == null || xdg.trim().isEmpty() ? new File(System.getProperty("user.home"), ".cache") : new File(xdg);
            File dir = new File(cache, "JNA/temp");
            dir.mkdirs();
            return dir.exists() && dir.canWrite() ? dir : new File(System.getProperty("java.io.tmpdir"));
        }

        @Override
        public Optional<InputStream> open(String name) throws IOException {
            JarEntry entry = names.contains(name) ? jar.getJarEntry(prefix + name) : null;
            return entry == null ? Optional.empty() : Optional.of(jar.getInputStream(entry));
        }

        /**
         * The class loader reads each class through here: into one array of the entry's size, where
         * the default (readAllBytes) reads it in 8 KiB chunks and copies them into a third array. Some
         * hundreds of classes are read at start-up (JNA's, and every class of the agent's: see Startup).
         */
        @Override
        public Optional<ByteBuffer> read(String name) throws IOException {
            JarEntry entry = names.contains(name) ? jar.getJarEntry(prefix + name) : null;
            if (entry == null) {
                return Optional.empty();
            }
            long size = entry.getSize();
            try (InputStream in = jar.getInputStream(entry)) {
                if (size < 0 || size > Integer.MAX_VALUE - 8) {
                    return Optional.of(ByteBuffer.wrap(in.readAllBytes()));
                }
                byte[] bytes = new byte[(int) size];
                int read = in.readNBytes(bytes, 0, bytes.length);
                if (read != bytes.length || in.read() != -1) {
                    throw new IOException("the size of " + prefix + name + " in the jar is not " + size + " bytes: the jar was changed");
                }
                return Optional.of(ByteBuffer.wrap(bytes));
            }
        }

        @Override
        public Stream<String> list() {
            return names.stream();
        }

        @Override
        public void close() {}
    }
}
