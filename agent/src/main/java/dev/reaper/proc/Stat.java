package dev.reaper.proc;

/**
 * The fields of /proc/PID/stat the agent uses.
 *
 * @param state one letter: R, S, D, Z (zombie), T, ...
 * @param startTime clock ticks after boot; with the pid it names one process for good, since pids
 *     are reused
 */
public record Stat(
        long pid, String command, char state, long ppid, long pgrp, long session, long startTime) {

    public boolean zombie() {
        return state == 'Z';
    }

    public ProcessId id() {
        return new ProcessId(pid, startTime);
    }

    /**
     * Parses one stat line, which starts with the process's (or thread's) own id. Field by field,
     * not by String.split, which would make some fifty strings of each line: the reaper reads a
     * stat for each zombie it looks at.
     */
    static Stat parse(String line) {
        long pid = Long.parseLong(line.substring(0, line.indexOf(' ')));
        // The command sits in parentheses and may itself hold spaces and parentheses: take the last
        // ')'.
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        int at = close + 2; // field 3, the state
        char state = line.charAt(at);
        long[] fields = new long[4]; // fields 4 (ppid), 5 (pgrp), 6 (session) and 22 (start time)
        int field = 3;
        int n = 0;
        while (n < fields.length) {
            at = line.indexOf(' ', at) + 1;
            if (at == 0) {
                throw new IllegalArgumentException(
                        "a stat line with fewer than 22 fields: " + line);
            }
            field++;
            if (field <= 6 || field == 22) {
                int end = line.indexOf(' ', at);
                fields[n++] = Long.parseLong(line, at, end < 0 ? line.length() : end, 10);
            }
        }
        return new Stat(
                pid,
                line.substring(open + 1, close),
                state,
                fields[0],
                fields[1],
                fields[2],
                fields[3]);
    }
}
