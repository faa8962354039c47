package dev.reaper.boot;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.security.ProtectionDomain;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The class loader the agent's core runs in, apart from the application's classes, from the agent's
 * jar.
 *
 * <p>The jar holds, unpacked under {@code META-INF/reaper/<module>/}, the core ({@value
 * #AGENT_MODULE}) and JNA ({@code com.sun.jna}); at its top, the boot side: this package, and the
 * few packages the core shares with it ({@link #SHARED}: the interface they meet at, the options,
 * the /proc reader, the log). Neither the core nor JNA is visible to the application's class
 * loader, so an application that ships its own JNA keeps it, and the agent keeps its own.
 *
 * <p>The core's loader is a plain class loader under the platform class loader: the core's classes
 * in its own unnamed module, the shared packages taken from the boot side's loader. Before JDK 24
 * it holds JNA's classes too. From JDK 24 on, JNA is a named module in a module layer of its own,
 * made when the core first needs a JNA class, so that native access can be granted to JNA alone
 * (JEP 472 warns when code without it loads a library; unnamed modules share one flag with the
 * application's). Building a module layer costs a thread about 40 ms, which is why the core itself
 * does not live in one: reaping begins before JNA is needed. Classes are read from the jar as they
 * are needed; only JNA's native library is written to a file ({@link NestedReader#find}).
 */
public final class AgentLoader {
    static final String AGENT_MODULE = "dev.reaper";
    private static final String JNA_MODULE = "com.sun.jna";
    private static final String JNA_PACKAGE = "com.sun.jna.";
    private static final String PREFIX = "META-INF/reaper/";

    /** The command line tool's classes, within the core's module. */
    private static final String TOOL_PACKAGE = "dev/reaper/cli/";

    /**
     * The packages the core takes from the boot side's loader: both must see the same classes
     * there.
     */
    private static final String[] SHARED = {
        "dev.reaper.spi.", "dev.reaper.options.", "dev.reaper.proc.", "dev.reaper.log."
    };

    /** The first JDK that restricts native access to the modules granted it (JEP 472). */
    private static final int NATIVE_ACCESS_RESTRICTED = 24;

    private final JarFile jar;
    private final URI jarUri;

    /**
     * Per module, its entries' paths within it, and its packages; the boot side's own classes, at
     * the jar's top (this package and the shared ones). Read from the jar's entries only when first
     * asked for (JNA's module layer, {@link #loadEveryClass}): not before reaping runs, which loads
     * its classes by name.
     */
    private Map<String, Set<String>> entries;

    private Set<String> bootClasses;
    private Map<String, Set<String>> packages;

    /**
     * Opens the jar that holds {@code anchor}. The jar stays open: classes are loaded from it for
     * the JVM's life.
     */
    public AgentLoader(Class<?> anchor) throws IOException, URISyntaxException {
        // java.io, not java.nio.file.Path: nothing else on the way to reaping needs java.nio.file's
        // classes
        File file = new File(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        jar = new JarFile(file);
        jarUri = file.toURI();
    }

    /** Reads the jar's entries, once. */
    private synchronized void index() {
        if (entries != null) {
            return;
        }
        entries = new HashMap<>();
        bootClasses = new HashSet<>();
        packages = new HashMap<>();
        for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
            String name = e.nextElement().getName();
            if (name.startsWith("dev/reaper/") && name.endsWith(".class")) {
                bootClasses.add(
                        name.substring(0, name.length() - ".class".length()).replace('/', '.'));
            }
            if (!name.startsWith(PREFIX) || name.endsWith("/")) {
                continue;
            }
            int slash = name.indexOf('/', PREFIX.length());
            String module = name.substring(PREFIX.length(), slash);
            String entry = name.substring(slash + 1);
            setOf(entries, module).add(entry);
            int last = entry.lastIndexOf('/');
            if (entry.endsWith(".class") && last > 0 && !entry.startsWith("META-INF/")) {
                setOf(packages, module).add(entry.substring(0, last).replace('/', '.'));
            }
        }
    }

    /**
     * The loader of the agent's core, under the platform class loader; the shared packages from
     * {@code boot}'s loader.
     */
    public ClassLoader coreLoader(ClassLoader boot) {
        boolean jnaApart = Runtime.version().feature() >= NATIVE_ACCESS_RESTRICTED;
        return jnaApart
                ? new NestedLoader(
                        ClassLoader.getPlatformClassLoader(), boot, this, reader(AGENT_MODULE))
                : new NestedLoader(
                        ClassLoader.getPlatformClassLoader(),
                        boot,
                        null,
                        reader(AGENT_MODULE),
                        reader(JNA_MODULE));
    }

    /**
     * The loader of the command line tool, under the system class loader: the tool needs
     * jdk.attach, which a loader under the platform class loader cannot see, and runs no
     * application to keep apart from.
     */
    public ClassLoader toolLoader() {
        return new NestedLoader(
                ClassLoader.getSystemClassLoader(), null, null, reader(AGENT_MODULE));
    }

    /**
     * JNA as a named module in a module layer of its own, under the platform class loader. The core
     * grants native access to that module alone before JNA loads its library (see the core's
     * Startup).
     */
    ClassLoader jnaLayerLoader() {
        index();
        NestedModules modules = new NestedModules(JNA_MODULE);
        ModuleLayer boot = ModuleLayer.boot();
        Configuration configuration =
                boot.configuration().resolve(modules, ModuleFinder.of(), Set.of(JNA_MODULE));
        return boot.defineModulesWithOneLoader(configuration, ClassLoader.getPlatformClassLoader())
                .findLoader(JNA_MODULE);
    }

    /**
     * Loads every class of the core through {@code core}, and every class of the boot side through
     * {@code boot}, now. Classes are read from the jar as they are first used; if that jar is
     * rewritten while the JVM runs (an upgrade, a rebuild), a class first needed at shutdown could
     * no longer be loaded, and SIGTERM would find the agent broken. Classes that need a module this
     * JVM lacks (jdk.jfr, jdk.attach) are left out, and so is the command line tool ({@value
     * #TOOL_PACKAGE}), which runs in a JVM of its own (ReaperMain), never in the agent's.
     */
    public void loadEveryClass(ClassLoader core, ClassLoader boot) {
        index();
        for (String entry : entries.get(AGENT_MODULE)) {
            if (entry.endsWith(".class")
                    && !entry.equals("module-info.class")
                    && !entry.startsWith("META-INF/")
                    && !entry.startsWith(TOOL_PACKAGE)) {
                load(
                        entry.substring(0, entry.length() - ".class".length()).replace('/', '.'),
                        core);
            }
        }
        for (String name : bootClasses) {
            load(name, boot);
        }
    }

    private static void load(String name, ClassLoader loader) {
        try {
            Class.forName(name, false, loader);
        } catch (ClassNotFoundException | LinkageError | RuntimeException missing) {
            // it needs a module this JVM does not have, and will not be used (or it cannot be
            // read now: it is loaded when first used, as without this; the agent runs anyway)
        }
    }

    private NestedReader reader(String module) {
        String prefix = PREFIX + module + "/";
        return new NestedReader(
                this, jar, prefix, URI.create("jar:" + jarUri + "!/" + prefix), module);
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

    private static boolean shared(String className) {
        for (String prefix : SHARED) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A ModuleFinder over one module of the jar, an automatic module (JNA's jar has no descriptor).
     */
    private final class NestedModules implements ModuleFinder {
        private final ModuleReference module;

        NestedModules(String name) {
            NestedReader reader = reader(name);
            module =
                    new ModuleReference(
                            ModuleDescriptor.newAutomaticModule(name)
                                    .packages(packages.get(name))
                                    .build(),
                            reader.location) {
                        @Override
                        public ModuleReader open() {
                            return reader;
                        }
                    };
        }

        @Override
        public Optional<ModuleReference> find(String name) {
            return module.descriptor().name().equals(name) ? Optional.of(module) : Optional.empty();
        }

        @Override
        public Set<ModuleReference> findAll() {
            return Set.of(module);
        }
    }

    /**
     * The core's class loader: its classes in one unnamed module, under {@code parent}. The shared
     * packages come from {@code boot}'s loader; from JDK 24 on, JNA's from its module layer, made
     * at the first JNA class asked for.
     */
    private static final class NestedLoader extends ClassLoader {
        static {
            registerAsParallelCapable();
        }

        private final ClassLoader boot;
        private final AgentLoader jnaApart;
        private final NestedReader[] readers;
        private ClassLoader jna;

        NestedLoader(
                ClassLoader parent,
                ClassLoader boot,
                AgentLoader jnaApart,
                NestedReader... readers) {
            super("reaper", parent);
            this.boot = boot;
            this.jnaApart = jnaApart;
            this.readers = readers;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (boot != null && shared(name)) {
                return boot.loadClass(name);
            }
            if (jnaApart != null && name.startsWith(JNA_PACKAGE)) {
                return jna().loadClass(name);
            }
            return super.loadClass(name, resolve);
        }

        private synchronized ClassLoader jna() {
            if (jna == null) {
                jna = jnaApart.jnaLayerLoader();
            }
            return jna;
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            String path = name.replace('.', '/') + ".class";
            for (NestedReader reader : readers) {
                try {
                    Optional<ByteBuffer> bytes = reader.read(path);
                    if (bytes.isPresent()) {
                        return defineClass(name, bytes.get(), (ProtectionDomain) null);
                    }
                } catch (IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
            }
            throw new ClassNotFoundException(name);
        }

        @Override
        protected URL findResource(String name) {
            for (NestedReader reader : readers) {
                Optional<URI> uri = reader.find(name);
                if (uri.isPresent()) {
                    try {
                        return uri.get().toURL();
                    } catch (MalformedURLException e) {
                        return null;
                    }
                }
            }
            return null;
        }

        @Override
        protected Enumeration<URL> findResources(String name) {
            URL url = findResource(name);
            return url == null
                    ? Collections.emptyEnumeration()
                    : Collections.enumeration(List.of(url));
        }

        /**
         * Straight from the jar, not through a jar: URL (whose handler opens the jar a second
         * time).
         */
        @Override
        public InputStream getResourceAsStream(String name) {
            for (NestedReader reader : readers) {
                try {
                    Optional<InputStream> in = reader.open(name);
                    if (in.isPresent()) {
                        return in.get();
                    }
                } catch (IOException e) {
                    return null;
                }
            }
            return super.getResourceAsStream(name);
        }
    }

    /**
     * Reads one module's entries from the jar. The jar stays open: classes are loaded from it for
     * the JVM's life.
     */
    private static final class NestedReader implements ModuleReader {
        private final AgentLoader loader;
        private final JarFile jar;
        private final String prefix;
        private final URI location;
        private final String module;

        NestedReader(AgentLoader loader, JarFile jar, String prefix, URI location, String module) {
            this.loader = loader;
            this.jar = jar;
            this.prefix = prefix;
            this.location = location;
            this.module = module;
        }

        /**
         * The module's entry of this name (a file, not a directory), or null: one look-up in the
         * jar's table.
         */
        private JarEntry entry(String name) {
            JarEntry entry = jar.getJarEntry(prefix + name);
            return entry == null || entry.isDirectory() || name.endsWith("/") ? null : entry;
        }

        /**
         * A native library (JNA's libjnidispatch.so, which JNA asks for by URL) is given as a file:
         * URL of a copy of its own. JNA loads a file: URL as it is; from a jar: URL it would copy
         * the library itself, to a File.createTempFile, whose first use initialises SecureRandom
         * and the JVM's security properties: about 25 ms and 1 MiB more on the agent's thread. The
         * copy goes where JNA's would, under a name that starts with "jna", so that JNA deletes it
         * once loaded, as it deletes its own. If it cannot be written, JNA gets the jar: URL and
         * tries itself.
         */
        @Override
        public Optional<URI> find(String name) {
            if (entry(name) == null) {
                return Optional.empty();
            }
            File copy = name.endsWith(".so") ? copy(name) : null;
            return Optional.of(copy != null ? copy.toURI() : URI.create(location + name));
        }

        private File copy(String name) {
            File dir = jnaTemporaryDirectory();
            for (int attempt = 0; attempt < 3; attempt++) {
                // Unique by O_EXCL (createNewFile), not by a random name. java.io, not Files.copy:
                // that would load some twenty classes of file channels that nothing else needs.
                File copy =
                        new File(dir, "jna-reaper-" + Long.toHexString(System.nanoTime()) + ".so");
                try {
                    if (!copy.createNewFile()) {
                        continue; // another JVM's copy: try another name
                    }
                    // If JNA cannot load it (a noexec directory), JNA does not delete it. (As with
                    // JNA's own copy, a JVM that halts between these two lines leaves it behind.)
                    copy.deleteOnExit();
                    try (InputStream in = jar.getInputStream(jar.getJarEntry(prefix + name));
                            OutputStream out = new FileOutputStream(copy)) {
                        in.transferTo(out);
                    }
                    return copy;
                    // LinkageError: deleteOnExit's first use during the JVM's exit
                } catch (IOException | RuntimeException | LinkageError e) {
                    copy.delete();
                    return null;
                }
            }
            return null;
        }

        /**
         * Where JNA unpacks its library on Linux (Native.getTempDir): jna.tmpdir, else the user's
         * cache, else java.io.tmpdir.
         */
        private static File jnaTemporaryDirectory() {
            String configured = System.getProperty("jna.tmpdir");
            if (configured != null) {
                File dir = new File(configured);
                dir.mkdirs();
                return dir;
            }
            String xdg = System.getenv("XDG_CACHE_HOME");
            File cache =
                    xdg == null || xdg.trim().isEmpty()
                            ? new File(System.getProperty("user.home"), ".cache")
                            : new File(xdg);
            File dir = new File(cache, "JNA/temp");
            dir.mkdirs();
            return dir.exists() && dir.canWrite()
                    ? dir
                    : new File(System.getProperty("java.io.tmpdir"));
        }

        @Override
        public Optional<InputStream> open(String name) throws IOException {
            JarEntry entry = entry(name);
            return entry == null ? Optional.empty() : Optional.of(jar.getInputStream(entry));
        }

        /**
         * The class loader reads each class through here: into one array of the entry's size, where
         * the default (readAllBytes) reads it in 8 KiB chunks and copies them into a third array.
         * Some hundreds of classes are read at start-up (JNA's, and every class of the agent's: see
         * Startup).
         */
        @Override
        public Optional<ByteBuffer> read(String name) throws IOException {
            JarEntry entry = entry(name);
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
                    throw new IOException(
                            "the size of "
                                    + prefix
                                    + name
                                    + " in the jar is not "
                                    + size
                                    + " bytes: the jar was changed");
                }
                return Optional.of(ByteBuffer.wrap(bytes));
            }
        }

        @Override
        public Stream<String> list() {
            loader.index();
            return loader.entries.get(module).stream();
        }

        @Override
        public void close() {}
    }
}
