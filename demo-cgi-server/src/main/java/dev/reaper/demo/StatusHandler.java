package dev.reaper.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The status page at / (status.html, which fetches /status every second), /status as JSON, and 404
 * for the rest.
 */
final class StatusHandler implements HttpHandler {
    private final StatusBoard board;
    private final byte[] page;

    StatusHandler(StatusBoard board) {
        this.board = board;
        try (InputStream html = StatusHandler.class.getResourceAsStream("status.html")) {
            page = html.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            boolean known = path.equals("/") || path.equals("/status");
            String method = exchange.getRequestMethod();
            if (!known) {
                Replies.text(
                        exchange,
                        404,
                        "404 Not Found: "
                                + path
                                + " (the scripts are under "
                                + ScriptPath.PREFIX
                                + ")");
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                Replies.text(exchange, 405, "405 Method Not Allowed: " + method);
            } else if (path.equals("/")) {
                Replies.send(exchange, 200, "text/html; charset=utf-8", page);
            } else {
                exchange.getResponseHeaders().set("Cache-Control", "no-store");
                Replies.send(
                        exchange,
                        200,
                        "application/json",
                        board.json().getBytes(StandardCharsets.UTF_8));
            }
        }
    }
}
