package dev.reaper.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/** Runs the script a request under /cgi-bin/ names, and answers with what it printed. */
final class CgiHandler implements HttpHandler {
    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST");
    static final int MAX_BODY = 1 << 20;

    private final Path scripts;
    private final Duration timeout;
    private final Map<String, String> serverVariables;
    private final Stats stats;

    /**
     * @param serverVariables what every script gets besides the request's meta-variables
     */
    CgiHandler(Path scripts, Duration timeout, Map<String, String> serverVariables, Stats stats) {
        this.scripts = scripts;
        this.timeout = timeout;
        this.serverVariables = Map.copyOf(serverVariables);
        this.stats = stats;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            stats.requested();
            serve(exchange);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void serve(HttpExchange exchange) throws IOException, InterruptedException {
        String method = exchange.getRequestMethod();
        if (!METHODS.contains(method)) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD, POST");
            Replies.text(exchange, 405, "405 Method Not Allowed: " + method);
            return;
        }
        ScriptPath path;
        try {
            path = ScriptPath.parse(exchange.getRequestURI().getRawPath());
        } catch (ScriptPath.Malformed e) {
            Replies.text(exchange, 400, "400 Bad Request: " + e.getMessage());
            return;
        }
        Path script = scripts.resolve(path.name()).normalize();
        if (path.name().isEmpty()
                || !script.getParent().equals(scripts)
                || !Files.isRegularFile(script)) {
            Replies.text(
                    exchange, 404, "404 Not Found: no script " + ScriptPath.PREFIX + path.name());
            return;
        }
        byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
            Replies.text(exchange, 413, "413 Content Too Large: at most " + MAX_BODY + " bytes");
            return;
        }
        String scriptName = ScriptPath.PREFIX + path.name();
        Map<String, String> env =
                MetaVariables.of(
                        exchange, scriptName, path.pathInfo(), body.length, serverVariables);
        ScriptProcess.Result result;
        try {
            result = ScriptProcess.run(script, env, body, timeout);
        } catch (IOException e) {
            // ProcessBuilder's message repeats the script's path and directory; its cause is the
            // system's reason alone
            log(
                    scriptName
                            + " could not be started: "
                            + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
            Replies.text(
                    exchange,
                    500,
                    "500 Internal Server Error: " + scriptName + " could not be started");
            return;
        }
        answer(exchange, scriptName, result);
    }

    private void answer(HttpExchange exchange, String scriptName, ScriptProcess.Result result)
            throws IOException {
        if (result instanceof ScriptProcess.TimedOut) {
            stats.timedOut();
            log(scriptName + " ran past the timeout (" + timeout.toMillis() + " ms): killed");
            Replies.text(
                    exchange,
                    504,
                    "504 Gateway Timeout: "
                            + scriptName
                            + " ran longer than "
                            + timeout.toMillis()
                            + " ms");
        } else if (result instanceof ScriptProcess.TooLarge) {
            log(scriptName + " printed more than " + ScriptProcess.MAX_OUTPUT + " bytes: killed");
            Replies.text(exchange, 502, "502 Bad Gateway: " + scriptName + " printed too much");
        } else if (result instanceof ScriptProcess.Broken broken) {
            log(scriptName + ": " + broken.why());
            Replies.text(exchange, 502, "502 Bad Gateway: " + scriptName + " failed");
        } else {
            byte[] output = ((ScriptProcess.Output) result).bytes();
            CgiResponse response;
            try {
                response = CgiResponse.parse(output);
            } catch (CgiResponse.Malformed e) {
                log(scriptName + " printed no valid CGI response: " + e.getMessage());
                Replies.text(
                        exchange,
                        502,
                        "502 Bad Gateway: "
                                + scriptName
                                + " printed no valid CGI response: "
                                + e.getMessage());
                return;
            }
            for (CgiResponse.Header header : response.headers()) {
                exchange.getResponseHeaders().add(header.name(), header.value());
            }
            Replies.send(exchange, response.status(), null, response.body());
        }
    }

    private static void log(String message) {
        System.err.println("demo-cgi-server: " + message);
    }
}
