package dev.reaper.proc;

import java.util.Locale;

/**
 * The signals the agent handles, with their numbers (the same on every Linux architecture the agent
 * runs on), and the exit status a process killed by one has in the shell's convention.
 */
public enum Signal {
    HUP(1),
    INT(2),
    KILL(9),
    TERM(15);

    /** The shell's convention for a process killed by signal N: exit status 128 + N. */
    public static final int SHELL_BASE = 128;

    private final int number;

    Signal(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    /** 128 + its number: 143 for TERM, as the JVM exits on it. */
    public int exitStatus() {
        return SHELL_BASE + number;
    }

    /** TERM for "TERM", "term" or "SIGTERM"; null if it is none of these signals. */
    public static Signal named(String name) {
        String bare = name.toUpperCase(Locale.ROOT);
        bare = bare.startsWith("SIG") ? bare.substring(3) : bare;
        for (Signal signal : values()) {
            if (signal.name().equals(bare)) {
                return signal;
            }
        }
        return null;
    }
}
