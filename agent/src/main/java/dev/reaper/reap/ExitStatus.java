package dev.reaper.reap;

import static dev.reaper.linux.LibC.CLD_DUMPED;
import static dev.reaper.linux.LibC.CLD_EXITED;
import static dev.reaper.linux.LibC.SI_CODE;
import static dev.reaper.linux.LibC.SI_STATUS;

/** How a process ended, as waitid(2) reports it: an exit code, or the signal that killed it. */
public record ExitStatus(boolean exited, int value, boolean coreDumped) {

    static ExitStatus from(int[] siginfo) {
        return from(siginfo[SI_CODE], siginfo[SI_STATUS]);
    }

    /** From siginfo_t's si_code and si_status. */
    static ExitStatus from(int code, int status) {
        return new ExitStatus(code == CLD_EXITED, status, code == CLD_DUMPED);
    }

    /** The shell's convention: the exit code, or 128 + the signal number. */
    public int shellStatus() {
        return exited ? value : 128 + value;
    }

    @Override
    public String toString() {
        return exited ? "exit status " + value : "killed by signal " + value + (coreDumped ? " (core dumped)" : "");
    }
}
