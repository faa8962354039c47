package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code java -jar reaper.jar ARGS}, the command line tool, and returns what it printed. */
final class ReaperCli {
    private ReaperCli() {}

    static Result run(String... args) throws IOException, InterruptedException {
        return run(List.of(), args);
    }

    /**
     * With {@code prefix} before the java command (e.g. setpriv to run as another user) and JVM
     * options in it.
     */
    static Result run(List<String> prefix, String... args)
            throws IOException, InterruptedException {
        return runAs(prefix, Jvm.AGENT, args);
    }

    /**
     * With {@code prefix}, from {@code jar}, in the jar's directory (another user may not enter the
     * test's own).
     */
    static Result runAs(List<String> prefix, Path jar, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(prefix);
        if (prefix.stream().noneMatch(p -> p.endsWith("/java"))) {
            command.add(Jvm.Jdk.JDK17.java().toString());
        }
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(jar.getParent().toFile()).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s ended", command).isTrue();
        return new Result(String.join(" ", command), process.exitValue(), out, err);
    }
}
