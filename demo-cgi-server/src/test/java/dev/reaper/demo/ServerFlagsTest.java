package dev.reaper.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerFlagsTest {
    @TempDir Path dir;

    @Test
    void everyFlagHasADefault() throws Exception {
        ServerFlags flags = ServerFlags.parse();

        assertThat(flags.port()).isEqualTo(8080);
        assertThat(flags.scripts()).as("the bundled examples").isNull();
        assertThat(flags.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(flags.markerDir()).isEqualTo(ServerFlags.DEFAULT_MARKER_DIR);
    }

    @Test
    void flagsTakeTheirValueAfterASpaceOrAnEqualsSign() throws Exception {
        ServerFlags flags =
                ServerFlags.parse(
                        "--port",
                        "9000",
                        "--timeout=1500ms",
                        "--scripts=" + dir,
                        "--marker-dir",
                        dir + "/m");

        assertThat(flags)
                .isEqualTo(new ServerFlags(9000, dir, Duration.ofMillis(1500), dir.resolve("m")));
    }

    @Test
    void aBadValueGetsOneLineNamingTheFlagAndWhatItAccepts() {
        assertThatThrownBy(() -> ServerFlags.parse("--port", "http"))
                .hasMessage(
                        "bad value 'http' for --port; accepted: a TCP port from 0 to 65535 (default 8080; 0 picks a free one)");
        assertThatThrownBy(() -> ServerFlags.parse("--port=65536"))
                .hasMessageStartingWith("bad value '65536' for --port;");
        assertThatThrownBy(() -> ServerFlags.parse("--timeout", "5"))
                .hasMessageStartingWith(
                        "bad value '5' for --timeout; accepted: a duration from 100ms to 1h");
        assertThatThrownBy(() -> ServerFlags.parse("--timeout", "50ms"))
                .hasMessageStartingWith("bad value '50ms' for --timeout;");
        assertThatThrownBy(() -> ServerFlags.parse("--scripts", dir + "/none"))
                .hasMessageStartingWith("bad value '" + dir + "/none' for --scripts;");
        assertThatThrownBy(() -> ServerFlags.parse("--timeout"))
                .hasMessageStartingWith("--timeout needs a value; accepted:");
    }

    @Test
    void anUnknownFlagGetsTheListOfFlags() {
        assertThatThrownBy(() -> ServerFlags.parse("--prot", "80"))
                .hasMessage(
                        "unknown flag '--prot'; accepted: --port, --scripts, --timeout, --marker-dir (--help says more)");
        assertThatThrownBy(() -> ServerFlags.parse("8080"))
                .hasMessageStartingWith("unknown flag '8080';");
    }

    @Test
    void theMessageIsOneLineWithoutAStackTrace() {
        assertThatThrownBy(() -> ServerFlags.parse("--port", "x"))
                .satisfies(
                        e -> {
                            assertThat(e.getMessage()).doesNotContain("\n");
                            assertThat(e.getStackTrace()).isEmpty();
                        });
    }
}
