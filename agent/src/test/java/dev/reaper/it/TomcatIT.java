package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.Jvm.Running;
import dev.reaper.it.apps.TomcatCgiApp;
import dev.reaper.kit.Await;
import dev.reaper.kit.ProcessTable;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Apache Tomcat (embedded, its own CGIServlet) as PID 1 of a pid namespace, serving bash CGI
 * scripts that leave orphans and start background jobs whose SIGTERM handler cleans up through
 * external commands. With the agent: no zombie left, and every job's cleanup completes on SIGTERM.
 * Without: a zombie per orphan, and the kernel kills the jobs mid-cleanup.
 */
@ExtendWith(Jvm.Cleanup.class)
class TomcatIT {
    private static final String TOMCAT =
            System.getProperty(
                    "reaper.tomcat",
                    "target/it/tomcat-embed-core.jar:target/it/tomcat-annotations-api.jar");
    private static final int ORPHANS = 20;
    private static final int JOBS = 3;

    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void noZombieIsLeftAndEveryJobCleansUpOnSigterm(Jdk jdk) throws Exception {
        Running tomcat =
                Jvm.on(jdk)
                        .withAgent(null)
                        .asPid1()
                        .classPath(TOMCAT)
                        .start(TomcatCgiApp.class, dir.toString());
        serve();
        long pid = tomcat.pid();
        await(
                "the orphans gone, the jobs running, no zombie",
                () -> zombies(pid) == 0 && running(pid) == 2 * JOBS);

        tomcat.signal("TERM");
        Result result = tomcat.await(Duration.ofSeconds(30));
        assertThat(result.status()).as("%s", result).isEqualTo(143);
        assertThat(count(".cleaned")).as("jobs whose cleanup completed").isEqualTo(JOBS);
    }

    @Test
    void withoutTheAgentZombiesPileUpAndTheJobsAreKilled() throws Exception {
        Running tomcat =
                Jvm.on(Jdk.JDK17)
                        .asPid1()
                        .classPath(TOMCAT)
                        .start(TomcatCgiApp.class, dir.toString());
        serve();
        long pid = tomcat.pid();
        await(ORPHANS + " zombies", () -> zombies(pid) == ORPHANS);

        tomcat.signal("TERM");
        Result result = tomcat.await(Duration.ofSeconds(30));
        assertThat(result.status()).as("%s", result).isEqualTo(143);
        assertThat(count(".cleaned")).as("jobs whose cleanup completed").isZero();
    }

    /**
     * ORPHANS requests that leave an orphan, JOBS that start a job; returns once the orphans have
     * all finished their work.
     */
    /** Sends the requests that leave orphans, once the Tomcat under test listens. */
    private void serve() throws Exception {
        await(
                "Tomcat listening",
                () -> Files.exists(dir.resolve("port")) && Files.size(dir.resolve("port")) > 0);
        int port = Integer.parseInt(Files.readString(dir.resolve("port")));
        for (int i = 0; i < ORPHANS; i++) {
            get(port, "orphan.sh");
        }
        for (int i = 0; i < JOBS; i++) {
            get(port, "job.sh");
        }
        await(
                "the orphans' work done, the jobs started",
                () -> count(".done") == ORPHANS && count(".part") == JOBS);
    }

    private static void get(int port, String script) throws IOException {
        HttpURLConnection http =
                (HttpURLConnection)
                        URI.create("http://127.0.0.1:" + port + "/cgi-bin/" + script)
                                .toURL()
                                .openConnection();
        http.setConnectTimeout(10_000);
        http.setReadTimeout(30_000);
        assertThat(http.getResponseCode()).as(script).isEqualTo(200);
        http.getInputStream().readAllBytes();
        http.disconnect();
    }

    private long count(String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix)).count();
        }
    }

    /** The zombies among the JVM's children. */
    private static long zombies(long pid) {
        return ProcessTable.zombieChildren(pid);
    }

    /** The JVM's descendants that are running (the jobs and their sleeps: two each). */
    private static long running(long pid) {
        return ProcessTable.descendants(pid).stream().filter(p -> !p.zombie()).count();
    }

    private static void await(String what, Await.Condition condition) throws Exception {
        Await.until(what, Duration.ofSeconds(30), condition);
    }
}
