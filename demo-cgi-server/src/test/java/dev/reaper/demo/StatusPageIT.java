package dev.reaper.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm;
import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Tools;
import dev.reaper.kit.ProcessTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real browser (headless Chromium): the zombies it shows are the real ones.
 */
@ExtendWith(Jvm.Cleanup.class)
class StatusPageIT {
    @TempDir Path dir;

    @BeforeEach
    void needsChromium() {
        Tools.require(
                Tools.canRun("chromium", "--version"), "no chromium (Debian package chromium)");
    }

    /**
     * Two requests that time out, each orphaning a grep pipeline; returns once all below the server
     * has ended.
     */
    private static long timeOutTwoGreps(DemoServer server) throws Exception {
        assertThat(
                        server.client.getAll(
                                List.of("/cgi-bin/grep.sh?slow=2", "/cgi-bin/grep.sh?slow=2")))
                .containsOnly(504);
        long pid = server.pid();
        Scenario.awaitOnlyZombiesBelow(pid, Duration.ofSeconds(20));
        return pid;
    }

    @Test
    void withoutTheReaperItShowsTheZombiesThereAre() throws Exception {
        try (DemoServer server =
                DemoServer.start(Jdk.JDK17, false, Duration.ofSeconds(1), dir.resolve("markers"))) {
            long pid = timeOutTwoGreps(server);
            int real = ProcessTable.zombiesBelow(pid);

            String page = render(server.port);

            assertThat(real).isGreaterThanOrEqualTo(2);
            assertThat(shown(page, "zombies"))
                    .as("zombies on the page, against the real count")
                    .isEqualTo(Integer.toString(real));
            assertThat(shown(page, "reaper")).isEqualTo("off");
            assertThat(shown(page, "reaped")).isEqualTo("–");
            assertThat(shown(page, "timedOut")).isEqualTo("2");
            assertThat(chartPoints(page))
                    .as("the chart: zombies over time")
                    .isGreaterThanOrEqualTo(2);
            assertThat(refreshes(page)).as("refreshed live").isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void withTheReaperItShowsNoneAndTheReapedOnes() throws Exception {
        try (DemoServer server =
                DemoServer.start(Jdk.JDK25, true, Duration.ofSeconds(1), dir.resolve("markers"))) {
            long pid = timeOutTwoGreps(server);
            assertThat(Scenario.zombiesLeftBelow(pid, Duration.ofSeconds(5))).isZero();
            long reaped = DemoClient.field(server.client.status(), "zombiesReaped");

            String page = render(server.port);

            assertThat(shown(page, "zombies")).isEqualTo("0");
            assertThat(shown(page, "reaper")).isEqualTo("on (PID 1)");
            assertThat(shown(page, "reaped")).isEqualTo(Long.toString(reaped));
            assertThat(reaped).isGreaterThanOrEqualTo(4);
        }
    }

    /** The page's DOM once its script has run for a few (virtual) seconds: chromium --dump-dom. */
    private String render(int port) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(dir, "chromium");
        Path out = dir.resolve("dom.html");
        Path err = dir.resolve("chromium.err");
        Process chromium =
                new ProcessBuilder(
                                "chromium",
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-quic",
                                "--no-first-run",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync",
                                "--user-data-dir=" + profile,
                                "--virtual-time-budget=5000",
                                "--dump-dom",
                                "http://127.0.0.1:" + port + "/")
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
        try {
            assertThat(chromium.waitFor(60, TimeUnit.SECONDS))
                    .as("chromium ended within 60 s")
                    .isTrue();
        } finally {
            ProcessTable.killTree(chromium.toHandle());
        }
        String dom = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(chromium.exitValue())
                .as("chromium's status; its stderr:%n%s", Files.readString(err))
                .isZero();
        return dom;
    }

    /** The text of the element with this id. */
    private static String shown(String dom, String id) {
        Matcher m = Pattern.compile("id=\"" + id + "\"[^>]*>([^<]*)<").matcher(dom);
        assertThat(m.find()).as("element #%s in%n%s", id, dom).isTrue();
        return m.group(1);
    }

    private static int chartPoints(String dom) {
        Matcher m = Pattern.compile("id=\"line\" points=\"([^\"]*)\"").matcher(dom);
        assertThat(m.find()).as("the chart's line in%n%s", dom).isTrue();
        return m.group(1).isBlank() ? 0 : m.group(1).trim().split(" ").length;
    }

    private static int refreshes(String dom) {
        Matcher m = Pattern.compile("data-refreshes=\"(\\d+)\"").matcher(dom);
        assertThat(m.find()).isTrue();
        return Integer.parseInt(m.group(1));
    }
}
