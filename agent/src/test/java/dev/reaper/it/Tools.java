package dev.reaper.it;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.reaper.kit.Pid1;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the end-to-end tests need from the machine. Under CI (CI=true) a missing tool fails the test
 * loudly; elsewhere the test is skipped with a message saying what to install.
 */
public final class Tools {
    private Tools() {}

    public static final boolean CI = "true".equalsIgnoreCase(System.getenv("CI"));

    /** unshare(1) making a pid namespace: root, or util-linux with user namespaces. */
    public static void requirePidNamespaces() {
        List<String> unshare = new ArrayList<>(Pid1.UNSHARE);
        unshare.add("true");
        require(
                canRun(unshare.toArray(String[]::new)),
                "cannot make a pid namespace with 'unshare --pid --fork --mount-proc' (run as root; Debian package util-linux)");
    }

    /** runc, the OCI runtime under Docker and containerd, run as root. */
    public static void requireRunc() {
        require(
                canRun("runc", "--version") && "root".equals(System.getProperty("user.name")),
                "no runc, or not root (Debian package runc; run the tests as root)");
    }

    /** The second JDK the agent must work on. */
    public static Path jdk25() {
        Path home =
                Path.of(System.getProperty("reaper.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));
        require(
                Files.isExecutable(home.resolve("bin/java")),
                "no JDK 25 at " + home + " (install Temurin 25 there, or pass -Dreaper.jdk25=DIR)");
        return home;
    }

    public static void require(boolean present, String what) {
        if (!present && CI) {
            fail("CI=true and " + what);
        }
        assumeTrue(present, what);
    }

    public static boolean canRun(String... command) {
        try {
            Process p =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
