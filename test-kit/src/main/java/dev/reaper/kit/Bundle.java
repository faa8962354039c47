package dev.reaper.kit;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A copy of the repository's OCI bundle (src/container) in a directory of its own, for runc. The
 * container sees the bundle's app/ read-only at /app and its work/ read-write at /work, and runs
 * {@code sh /app/entrypoint.sh}, which execs the command given here so that the command is PID 1.
 * The bundle mounts the host's /usr read-only, and nothing else of the host's programs.
 */
public final class Bundle {
    private final Path dir;

    private Bundle(Path dir) {
        this.dir = dir;
    }

    /** Copies the bundle {@code source} to {@code dir}, with empty app/ and work/ directories. */
    public static Bundle copy(Path source, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        // cp -a: the bundle's rootfs holds symbolic links (bin, lib... into /usr), which must stay
        // links
        if (new ProcessBuilder("cp", "-a", source + "/.", dir.toString())
                        .inheritIO()
                        .start()
                        .waitFor()
                != 0) {
            throw new IOException("cp -a " + source + " " + dir + " failed");
        }
        Files.createDirectories(dir.resolve("app"));
        Files.createDirectories(dir.resolve("work"));
        return new Bundle(dir);
    }

    /**
     * A directory laid out as a bundle's (work/, and room for stdout and stderr) but with no
     * container to run: for a PID 1 under unshare, so that both ways keep their files alike.
     */
    public static Bundle scratch(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("work"));
        return new Bundle(dir);
    }

    /**
     * Whether {@code java} can run in the container: of the host's directories, the bundle mounts
     * /usr only.
     */
    public static boolean visibleInside(Path java) throws IOException {
        return java.toRealPath().startsWith("/usr/");
    }

    public Path dir() {
        return dir;
    }

    /** /work inside. */
    public Path work() {
        return dir.resolve("work");
    }

    /** Copies a file into /app, as {@code name}. */
    public Bundle add(Path file, String name) throws IOException {
        Files.copy(file, dir.resolve("app").resolve(name), StandardCopyOption.REPLACE_EXISTING);
        return this;
    }

    /**
     * Copies class files, from a directory or a jar, into /app/{@code name}, a directory for -cp.
     */
    public Bundle addClasses(Path classes, String name) throws IOException {
        Path target = Files.createDirectories(dir.resolve("app").resolve(name));
        if (Files.isDirectory(classes)) {
            copyTree(classes, target);
        } else {
            try (FileSystem jar =
                    FileSystems.newFileSystem(URI.create("jar:" + classes.toUri()), Map.of())) {
                copyTree(jar.getPath("/"), target);
            }
        }
        return this;
    }

    /** Writes /app/entrypoint.sh: {@code exec COMMAND}. */
    public Bundle entrypoint(String command) throws IOException {
        Files.writeString(dir.resolve("app/entrypoint.sh"), "exec " + command + "\n");
        return this;
    }

    /** The command the entrypoint execs. */
    public String command() throws IOException {
        return Files.readString(dir.resolve("app/entrypoint.sh"))
                .strip()
                .substring("exec ".length());
    }

    /** Where runc run writes the container's stdout and stderr. */
    public Path stdout() {
        return dir.resolve("stdout");
    }

    public Path stderr() {
        return dir.resolve("stderr");
    }

    /** What the container printed, both streams. */
    public String output() {
        try {
            return Files.readString(stdout()) + Files.readString(stderr());
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Deletes the copy (after its container is gone). */
    public void delete() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    try (InputStream in = Files.newInputStream(f)) {
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
    }
}
