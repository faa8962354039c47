package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.apps.ShutdownApp;
import dev.reaper.kit.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What the workers of {@link ShutdownApp} leave in their directory. */
final class WorkerTree {
    static final int N = ShutdownApp.PER_KIND;
    static final Map<String, Integer> ALL_GRACEFUL =
            Map.of("plain", N, "setsid", N, "orphan", N, "shell", 1);

    private WorkerTree() {}

    /** Waits until the whole tree has started. */
    static void awaitReady(Path dir) throws IOException, InterruptedException {
        Await.file(dir.resolve("ready"), Duration.ofSeconds(30));
        assertThat(Files.readString(dir.resolve("ready"))).as("workers started").isNotEqualTo("0");
    }

    /** How many of each kind wrote NAME.graceful: plain, setsid, orphan, shell, stubborn. */
    static Map<String, Integer> graceful(Path dir) throws IOException {
        Map<String, Integer> counts = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".graceful"))
                    .forEach(n -> counts.merge(n.replaceAll("[-.].*", ""), 1, Integer::sum));
        }
        return counts;
    }
}
