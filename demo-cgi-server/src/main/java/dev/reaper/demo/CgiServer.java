package dev.reaper.demo;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * A CGI web server on the JDK's own HTTP server: the scripts of a directory under /cgi-bin/, a
 * status page at /. Its jar carries the reaper (Launcher-Agent-Class), so {@code java -jar} alone
 * gives a server that reaps; {@code REAPER_OPTIONS=enabled=false} gives one that leaks zombies.
 */
public final class CgiServer {
    /** Connections waiting to be accepted: the load test opens 200 at once. */
    private static final int BACKLOG = 512;

    private CgiServer() {}

    public static void main(String[] args) throws IOException {
        if (Arrays.asList(args).contains("--help")) {
            System.out.print(ServerFlags.help());
            return;
        }
        ServerFlags flags;
        try {
            flags = ServerFlags.parse(args);
        } catch (ServerFlags.BadFlag e) {
            System.err.println("demo-cgi-server: " + e.getMessage());
            System.exit(2);
            return;
        }
        ReaperFigures reaper = ReaperFigures.connect();
        Path scripts = flags.scripts() != null ? flags.scripts() : ExampleScripts.extract();
        Files.createDirectories(flags.markerDir());

        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(flags.port()), BACKLOG);
        } catch (BindException e) {
            System.err.println(
                    "demo-cgi-server: cannot listen on port "
                            + flags.port()
                            + ": "
                            + e.getMessage());
            System.exit(1);
            return;
        }
        Stats stats = new Stats();
        StatusBoard board = new StatusBoard(stats, reaper);
        server.createContext(
                ScriptPath.PREFIX,
                new CgiHandler(scripts, flags.timeout(), serverVariables(flags), stats));
        server.createContext("/", new StatusHandler(board));
        // A thread per request: a script may take up to the timeout, and should not hold up the
        // others.
        server.setExecutor(Executors.newCachedThreadPool(ScriptProcess.daemons("request-")));
        board.startSampling();
        server.start();
        // Stop the server when the JVM stops: its dispatcher thread sits in epoll_wait, native
        // code, and HotSpot's exit waits up to 300 ms for such threads
        // (VM_Exit::wait_for_threads_in_native_to_block). stop(0): no drain (a CGI script may run
        // for minutes; it gets the stop signal from the reaper).
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0), "http-server-stop"));
        System.out.println(
                "demo-cgi-server: http://localhost:"
                        + server.getAddress().getPort()
                        + "/ (scripts in "
                        + scripts
                        + ", timeout "
                        + flags.timeout().toMillis()
                        + " ms)");
    }

    /** What every script gets besides the request's meta-variables. */
    private static Map<String, String> serverVariables(ServerFlags flags) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        env.put("TMPDIR", System.getProperty("java.io.tmpdir"));
        env.put("MARKER_DIR", flags.markerDir().toString());
        return env;
    }
}
