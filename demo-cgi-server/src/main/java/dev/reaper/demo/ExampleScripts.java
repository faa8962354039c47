package dev.reaper.demo;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

/**
 * The example CGI scripts shipped in the jar (resources under dev/reaper/demo/cgi-bin/). A script
 * must be a file with the executable bit to run, and a jar has no such bits: so they are copied to
 * a fresh temporary directory at start-up, which also works where only /tmp is writable (the
 * container's root file system is read-only).
 */
final class ExampleScripts {
    static final String RESOURCES = "dev/reaper/demo/cgi-bin";

    private ExampleScripts() {}

    /**
     * Copies the scripts into a new temporary directory, deleted when the JVM exits; returns it.
     */
    static Path extract() throws IOException {
        Path dir = Files.createTempDirectory("cgi-bin");
        new File(dir.toString()).deleteOnExit(); // registered first, so deleted last, once empty
        Path codeSource = codeSource();
        if (Files.isDirectory(codeSource)) { // run from a build's classes directory
            copyScripts(codeSource.resolve(RESOURCES), dir);
        } else {
            try (FileSystem jar = FileSystems.newFileSystem(codeSource)) {
                copyScripts(jar.getPath(RESOURCES), dir);
            }
        }
        return dir;
    }

    private static Path codeSource() throws IOException {
        try {
            return Path.of(
                    ExampleScripts.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI());
        } catch (URISyntaxException e) {
            throw new IOException("cannot locate the bundled scripts: " + e.getMessage(), e);
        }
    }

    /**
     * The scripts, executable, and .lib/ (what they source), not executable: a directory is not a
     * script to the server.
     */
    private static void copyScripts(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path copy = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(
                            copy,
                            PosixFilePermissions.fromString(
                                    file.getParent().equals(from) ? "r-xr-xr-x" : "r--r--r--"));
                }
                copy.toFile().deleteOnExit();
            }
        }
    }
}
