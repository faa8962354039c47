package dev.reaper.demo;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A request path under /cgi-bin/, split into the script's name and the PATH_INFO after it: {@code
 * /cgi-bin/env.sh/a/b} is script {@code env.sh} with PATH_INFO {@code /a/b}.
 *
 * @param pathInfo null when nothing follows the name
 */
record ScriptPath(String name, String pathInfo) {
    static final String PREFIX = "/cgi-bin/";

    /** A path no script can be asked with: the server answers 400 Bad Request. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * @param rawPath the path as sent, percent-encoded, starting with {@link #PREFIX}
     * @throws Malformed for a "." or ".." segment, an encoded "/" or NUL, or a bad %-escape: a way
     *     out of the script directory, or a sign of trying one
     */
    static ScriptPath parse(String rawPath) throws Malformed {
        if (!rawPath.startsWith(PREFIX)) {
            throw new Malformed("not under " + PREFIX);
        }
        String[] segments = rawPath.substring(PREFIX.length()).split("/", -1);
        StringBuilder pathInfo = null;
        for (int i = 0; i < segments.length; i++) {
            String segment = decode(segments[i]);
            if (segment.equals(".")
                    || segment.equals("..")
                    || segment.indexOf('/') >= 0
                    || segment.indexOf('\0') >= 0) {
                throw new Malformed("path segment '" + segments[i] + "'");
            }
            if (i > 0) {
                pathInfo =
                        (pathInfo == null ? new StringBuilder() : pathInfo)
                                .append('/')
                                .append(segment);
            }
            segments[i] = segment;
        }
        return new ScriptPath(segments[0], pathInfo == null ? null : pathInfo.toString());
    }

    /** Percent-decoding as URLs have it ('+' stays '+'), as UTF-8. */
    private static String decode(String raw) throws Malformed {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '%') {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            int high = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
            int low = high >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
            if (low < 0) {
                throw new Malformed("bad %-escape in '" + raw + "'");
            }
            bytes.write(high * 16 + low);
            i += 2;
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
