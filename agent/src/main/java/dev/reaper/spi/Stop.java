package dev.reaper.spi;

import dev.reaper.proc.Signal;

/**
 * One stop of the JVM's descendants, as the boot side decides it.
 *
 * @param signal what they get first
 * @param beganTicks when the stop began, in clock ticks since boot: a process started then or later
 *     is the stop's own, left alone while the process that started it runs
 * @param wholeTree every descendant (a container's main process), or only those still attached to
 *     the JVM (in its session, not adopted)
 * @param killAtNanos when what is still running gets SIGKILL (System.nanoTime)
 */
public record Stop(Signal signal, long beganTicks, boolean wholeTree, long killAtNanos) {}
