package dev.reaper.proc;

/**
 * The fields of /proc/PID/stat the agent uses.
 *
 * @param state     one letter: R, S, D, Z (zombie), T, ...
 * @param startTime clock ticks after boot; with the pid it names one process for good, since pids are reused
 */
public record Stat(long pid, String command, char state, long ppid, long pgrp, long session, long startTime) {

    public boolean zombie() {
        return state == 'Z';
    }

    public ProcessId id() {
        return new ProcessId(pid, startTime);
    }

    /** Parses one stat line, which starts with the process's (or thread's) own id. */
    static Stat parse(String line) {
        long pid = Long.parseLong(line.substring(0, line.indexOf(' ')));
        // The command sits in parentheses and may itself hold spaces and parentheses: take the last ')'.
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        String[] f = line.substring(close + 2).split(" ");
        // f[0] is field 3 (state); field N is f[N - 3]
        return new Stat(pid, line.substring(open + 1, close), f[0].charAt(0),
                Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[19]));
    }
}
