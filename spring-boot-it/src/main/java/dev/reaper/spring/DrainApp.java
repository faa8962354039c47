package dev.reaper.spring;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot web server as people run them, shutdown left at its default (graceful since 3.4: on
 * SIGTERM its shutdown hook stops accepting and waits for the requests in flight). It reports to
 * the test through files in {@code --drain.dir=DIR}:
 *
 * <ul>
 *   <li>at start-up it starts a setsid'd daemon (its own session, adopted by PID 1 once setsid -f
 *       has forked it) that writes {@code daemon.ready} once its TERM trap is set and {@code
 *       daemon.term} when a SIGTERM reaches it; then it writes {@code port} (the server's port)
 *       last;
 *   <li>{@code GET /work} runs a child for about 1.5 s, which writes {@code child.started} first
 *       and {@code child.slept} when its sleep is over, and answers {@code child exit=N} with the
 *       child's exit status.
 * </ul>
 */
@SpringBootApplication
@RestController
public class DrainApp {
    private static final String DAEMON =
            "trap 'echo TERM > \"$1\"; exit 0' TERM; echo $$ > \"$2.tmp\"; mv \"$2.tmp\" \"$2\";"
                    + " while :; do sleep 0.1; done";
    private static final String CHILD =
            "echo $$ > \"$1.tmp\"; mv \"$1.tmp\" \"$1\"; sleep 1.5; echo > \"$2\"; exit 0";

    private final Path dir;

    public DrainApp(@Value("${drain.dir}") String dir) {
        this.dir = Path.of(dir);
    }

    public static void main(String[] args) {
        SpringApplication.run(DrainApp.class, args);
    }

    @GetMapping("/work")
    public String work() throws IOException, InterruptedException {
        Process child =
                quiet(
                                new ProcessBuilder(
                                        "sh",
                                        "-c",
                                        CHILD,
                                        "sh",
                                        dir.resolve("child.started").toString(),
                                        dir.resolve("child.slept").toString()))
                        .start();
        return "child exit=" + child.waitFor() + "\n";
    }

    @EventListener
    public void ready(ApplicationReadyEvent event) throws IOException, InterruptedException {
        Process setsid =
                quiet(
                                new ProcessBuilder(
                                        "setsid",
                                        "-f",
                                        "sh",
                                        "-c",
                                        DAEMON,
                                        "sh",
                                        dir.resolve("daemon.term").toString(),
                                        dir.resolve("daemon.ready").toString()))
                        .start();
        if (setsid.waitFor() != 0) {
            throw new IllegalStateException("setsid -f ended with status " + setsid.exitValue());
        }
        int port =
                ((WebServerApplicationContext) event.getApplicationContext())
                        .getWebServer()
                        .getPort();
        Path tmp = dir.resolve("port.tmp");
        Files.writeString(tmp, Integer.toString(port));
        Files.move(tmp, dir.resolve("port"), StandardCopyOption.ATOMIC_MOVE);
    }

    /** No pipes: a daemon holding one would keep a JDK thread of ours reading it. */
    private static ProcessBuilder quiet(ProcessBuilder builder) {
        return builder.redirectInput(new File("/dev/null"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
    }
}
