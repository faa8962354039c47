package dev.reaper.cli;

import dev.reaper.proc.Proc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process a command is aimed at, checked from /proc before anything is sent to it: attaching
 * sends SIGQUIT, which a JVM answers but which ends any other process, and prints a thread dump in
 * a JVM started with -XX:+DisableAttachMechanism.
 */
final class Target {
    private final long pid;
    private final Path proc;

    Target(long pid) {
        this.pid = pid;
        this.proc = Path.of("/proc/" + pid);
    }

    boolean exists() {
        return Files.isDirectory(proc);
    }

    /** The effective uid of the target, from /proc/PID/status; -1 if unknown. */
    long uid() throws IOException {
        for (String line : read("status").split("\n", -1)) {
            if (line.startsWith("Uid:")) {
                return Long.parseLong(line.substring(4).strip().split("\\s+", -1)[1]);
            }
        }
        return -1;
    }

    /** A HotSpot JVM has libjvm.so mapped. False too if its map cannot be read. */
    boolean isJvm() throws IOException {
        try {
            return read("maps").contains("/libjvm.so");
        } catch (AccessDeniedException unreadable) {
            return false;
        }
    }

    /**
     * -XX:+DisableAttachMechanism on its command line or in JAVA_TOOL_OPTIONS / JDK_JAVA_OPTIONS.
     */
    boolean attachDisabled() throws IOException {
        String flag = "-XX:+DisableAttachMechanism";
        if (read("cmdline").contains(flag)) {
            return true;
        }
        for (String variable : read("environ").split("\0", -1)) {
            if ((variable.startsWith("JAVA_TOOL_OPTIONS=")
                            || variable.startsWith("JDK_JAVA_OPTIONS="))
                    && variable.contains(flag)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the target sees {@code file} at the same path as we do (the same file, not only the
     * same name): false for a JVM in another mount namespace, a container, that has no such file or
     * another one there. Read through /proc/PID/root, the target's root as the kernel shows it.
     */
    boolean sees(Path file) {
        try {
            return Files.isSameFile(file, root().resolve(file.toString().substring(1)));
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /**
     * The target's root directory, seen from here: its files, in whatever mount namespace it runs.
     */
    Path root() {
        return proc.resolve("root");
    }

    /** One of the target's /proc files, empty once it is gone. */
    private String read(String file) throws IOException {
        byte[] text = Proc.file(pid, file);
        return text == null ? "" : new String(text, StandardCharsets.ISO_8859_1);
    }
}
