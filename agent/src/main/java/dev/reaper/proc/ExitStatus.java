package dev.reaper.proc;

/**
 * How a process ended, as waitid(2) reports it in siginfo_t: an exit code, or the signal that
 * killed it.
 *
 * @param value the exit code (0 to 255), or the signal's number
 */
public record ExitStatus(boolean exited, int value, boolean coreDumped) {
    /**
     * siginfo_t's si_code for a child that exited, and for one killed by a signal that dumped core.
     */
    public static final int CLD_EXITED = 1;

    public static final int CLD_DUMPED = 3;

    /** From siginfo_t's si_code and si_status. */
    public static ExitStatus of(int code, int status) {
        return new ExitStatus(code == CLD_EXITED, status, code == CLD_DUMPED);
    }

    /** The shell's convention: the exit code, or 128 + the signal's number. */
    public int shellStatus() {
        return exited ? value : Signal.SHELL_BASE + value;
    }

    @Override
    public String toString() {
        return exited
                ? "exit status " + value
                : "killed by signal " + value + (coreDumped ? " (core dumped)" : "");
    }
}
