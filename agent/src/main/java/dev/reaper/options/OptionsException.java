package dev.reaper.options;

/** A malformed option. The message is one line: what was wrong and what is accepted. */
public final class OptionsException extends Exception {
    public OptionsException(String message) {
        super(message, null, false, false);
    }
}
