package dev.reaper.demo;

import com.sun.net.httpserver.HttpExchange;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A script's environment: the request's CGI/1.1 meta-variables (RFC 3875, section 4.1), and the
 * server's few own.
 */
final class MetaVariables {
    /**
     * Request headers not passed on as HTTP_*: two have variables of their own, Authorization is
     * the server's business, and HTTP_PROXY would be taken by many programs for their proxy setting
     * ("httpoxy").
     */
    private static final Set<String> NOT_PASSED =
            Set.of("content-length", "content-type", "authorization", "proxy");

    private MetaVariables() {}

    /**
     * @param pathInfo null when the URL has nothing after the script's name
     * @param server what every script gets from the server (PATH, TMPDIR, MARKER_DIR)
     */
    static Map<String, String> of(
            HttpExchange exchange,
            String scriptName,
            String pathInfo,
            int contentLength,
            Map<String, String> server) {
        Map<String, String> env = new TreeMap<>(server);
        env.put("GATEWAY_INTERFACE", "CGI/1.1");
        env.put("SERVER_SOFTWARE", "demo-cgi-server");
        env.put("SERVER_PROTOCOL", exchange.getProtocol());
        env.put("SERVER_NAME", serverName(exchange));
        env.put("SERVER_PORT", Integer.toString(exchange.getLocalAddress().getPort()));
        env.put("REQUEST_METHOD", exchange.getRequestMethod());
        env.put("SCRIPT_NAME", scriptName);
        if (pathInfo != null) {
            env.put("PATH_INFO", pathInfo);
        }
        String query = exchange.getRequestURI().getRawQuery();
        env.put("QUERY_STRING", query == null ? "" : query);
        InetSocketAddress remote = exchange.getRemoteAddress();
        env.put("REMOTE_ADDR", remote.getAddress().getHostAddress());
        env.put("REMOTE_PORT", Integer.toString(remote.getPort()));
        if (contentLength > 0) { // RFC 3875: set if and only if a body came with the request
            env.put("CONTENT_LENGTH", Integer.toString(contentLength));
        }
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type != null) {
            env.put("CONTENT_TYPE", type);
        }
        for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!NOT_PASSED.contains(name)) {
                env.put(
                        "HTTP_" + name.toUpperCase(Locale.ROOT).replace('-', '_'),
                        String.join(", ", header.getValue()));
            }
        }
        return env;
    }

    /**
     * The host the client asked for (Host header, without the port), else this server's address.
     */
    private static String serverName(HttpExchange exchange) {
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (host == null || host.isBlank()) {
            return exchange.getLocalAddress().getAddress().getHostAddress();
        }
        host = host.strip();
        int colon = host.lastIndexOf(':');
        return colon > host.lastIndexOf(']') ? host.substring(0, colon) : host;
    }
}
