package dev.reaper.demo;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Sending a response: the body left out for HEAD, the length always given. */
final class Replies {
    private Replies() {}

    static void send(HttpExchange exchange, int status, String contentType, byte[] body)
            throws IOException {
        if (contentType != null) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
        }
        boolean head = exchange.getRequestMethod().equals("HEAD");
        if (status == 204 || status == 304) {
            body = new byte[0]; // these have no body, whatever a script printed
        } else if (head && body.length > 0) {
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
        }
        // -1: no body at all; any other length: that many bytes follow
        exchange.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** An error, or any short answer of the server's own: one line of plain text. */
    static void text(HttpExchange exchange, int status, String line) throws IOException {
        send(
                exchange,
                status,
                "text/plain; charset=utf-8",
                (line + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
