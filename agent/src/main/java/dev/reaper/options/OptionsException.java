package dev.reaper.options;

/**
 * A malformed option. The message is one line: what was wrong and what is accepted. The user's text
 * it quotes may hold line breaks or other control characters (options written one per line in a
 * YAML block): they are shown escaped, as \\n or \\uXXXX, so that the refusal stays one line.
 */
public final class OptionsException extends Exception {
    public OptionsException(String message) {
        super(oneLine(message), null, false, false);
    }

    static String oneLine(String text) {
        StringBuilder line = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                        line.append(String.format("\\u%04x", (int) c));
                    } else {
                        line.append(c);
                    }
                }
            }
        }
        return line.toString();
    }
}
