import java.lang.instrument.Instrumentation;

/**
 * An agent loaded just before reaper and again just after it ({@code -javaagent:stopwatch.jar
 * -javaagent:reaper.jar -javaagent:stopwatch.jar}): its second premain prints, on one line, the
 * System.nanoTime of its first (the moment reaper's premain begins, on the clock every process on
 * the machine shares: CLOCK_MONOTONIC) and the microseconds between the two (reaper's premain on
 * the main thread). The start-up scenario packs it into stopwatch.jar ({@link Harness#helloWorld}).
 */
public class Stopwatch {
    private static long first;

    public static void premain(String args, Instrumentation instrumentation) {
        long now = System.nanoTime();
        if (first == 0) {
            first = now;
        } else {
            System.out.println(first + " " + (now - first) / 1000);
        }
    }
}
