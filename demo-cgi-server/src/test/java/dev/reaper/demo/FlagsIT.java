package dev.reaper.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm;
import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's command line, through java -jar: a bad flag, --help, a script directory of one's
 * own.
 */
@ExtendWith(Jvm.Cleanup.class)
class FlagsIT {
    @TempDir Path dir;

    @Test
    void aBadFlagGetsOneLineAndStatus2() throws Exception {
        Result result =
                Jvm.on(Jdk.JDK17)
                        .jar(DemoServer.JAR)
                        .run(null, Duration.ofSeconds(30), "--timeout", "soon");

        assertThat(result.status()).isEqualTo(2);
        assertThat(result.stderr())
                .isEqualTo(
                        "demo-cgi-server: bad value 'soon' for --timeout; accepted: a duration from 100ms to 1h, "
                                + "e.g. 500ms, 5s, 2m (default 5s)\n");
        assertThat(result.stdout()).isEmpty();
    }

    @Test
    void helpListsTheFlagsAndTheSwitch() throws Exception {
        Result result =
                Jvm.on(Jdk.JDK17).jar(DemoServer.JAR).run(null, Duration.ofSeconds(30), "--help");

        assertThat(result.status()).isZero();
        assertThat(result.stdout())
                .contains(
                        "--port",
                        "--scripts",
                        "--timeout",
                        "--marker-dir",
                        "REAPER_OPTIONS=enabled=false");
    }

    @Test
    void scriptsFromADirectoryOfOnesOwn() throws Exception {
        Path scripts = Files.createDirectories(dir.resolve("cgi-bin"));
        Path mine = scripts.resolve("mine.sh");
        Files.writeString(
                mine,
                "#!/bin/bash\nprintf 'Content-Type: text/plain\\r\\n\\r\\nmine: %s\\n' \"$QUERY_STRING\"\n");
        Files.setPosixFilePermissions(mine, PosixFilePermissions.fromString("rwxr-xr-x"));

        try (DemoServer server =
                DemoServer.start(
                        Jdk.JDK17,
                        true,
                        Duration.ofSeconds(5),
                        dir.resolve("markers"),
                        "--scripts",
                        scripts.toString())) {
            assertThat(server.client.get("/cgi-bin/mine.sh?x=1").body()).isEqualTo("mine: x=1\n");
            assertThat(server.client.get("/cgi-bin/hello.sh").statusCode())
                    .as("not the bundled ones")
                    .isEqualTo(404);
        }
    }
}
