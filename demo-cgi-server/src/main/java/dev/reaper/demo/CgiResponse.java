package dev.reaper.demo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CGI script's output, parsed (RFC 3875, section 6): a header block, a blank line, the body. The
 * header block needs at least one of Content-Type, Location and Status; {@code Status: 404 Not
 * Found} sets the response's status; a Location without a Status is a redirect (302). The headers
 * are the script's for the client, Status and the framing ones left out.
 */
final class CgiResponse {
    record Header(String name, String value) {}

    private final int status;
    private final List<Header> headers;
    private final byte[] body;

    private CgiResponse(int status, List<Header> headers, byte[] body) {
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    int status() {
        return status;
    }

    List<Header> headers() {
        return headers;
    }

    /** The body, as the script wrote it (not a copy: the server sends it once). */
    byte[] body() {
        return body;
    }

    /** Output that is not a CGI response: the server answers 502 Bad Gateway. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private static final Pattern FIELD =
            Pattern.compile("([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*");
    private static final Pattern STATUS = Pattern.compile("([2-5][0-9][0-9])(?: .*)?");

    /** The server frames the response itself; a script's word on these would only contradict it. */
    private static final Set<String> FRAMING =
            Set.of("content-length", "transfer-encoding", "connection", "keep-alive");

    static CgiResponse parse(byte[] output) throws Malformed {
        List<Header> headers = new ArrayList<>();
        Integer status = null;
        boolean typeOrLocation = false;
        boolean location = false;
        int at = 0;
        while (true) {
            int newline = indexOf(output, (byte) '\n', at);
            if (newline < 0) {
                throw new Malformed("no blank line ends the header block");
            }
            int end = newline > at && output[newline - 1] == '\r' ? newline - 1 : newline;
            String line = new String(output, at, end - at, StandardCharsets.ISO_8859_1);
            at = newline + 1;
            if (line.isEmpty()) {
                break;
            }
            Matcher field = FIELD.matcher(line);
            if (!field.matches()) {
                throw new Malformed("not a header line: '" + abbreviate(line) + "'");
            }
            String name = field.group(1);
            String value = field.group(2);
            switch (name.toLowerCase(Locale.ROOT)) {
                case "status" -> {
                    Matcher code = STATUS.matcher(value);
                    if (!code.matches() || status != null) {
                        throw new Malformed("bad or repeated Status: '" + abbreviate(value) + "'");
                    }
                    status = Integer.parseInt(code.group(1));
                }
                case "location" -> {
                    location = typeOrLocation = true;
                    headers.add(new Header("Location", value));
                }
                case "content-type" -> {
                    typeOrLocation = true;
                    headers.add(new Header("Content-Type", value));
                }
                default -> {
                    if (!FRAMING.contains(name.toLowerCase(Locale.ROOT))) {
                        headers.add(new Header(name, value));
                    }
                }
            }
        }
        if (status == null && !typeOrLocation) {
            throw new Malformed("the header block has none of Content-Type, Location, Status");
        }
        int code = status != null ? status : location ? 302 : 200;
        return new CgiResponse(
                code, List.copyOf(headers), Arrays.copyOfRange(output, at, output.length));
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 60) + "...";
    }
}
