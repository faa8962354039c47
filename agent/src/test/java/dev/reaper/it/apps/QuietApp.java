package dev.reaper.it.apps;

/**
 * Prints nothing on stdout unless asked. Arguments: ORPHANS WAIT_MILLIS STAY_MILLIS [report]. Leaves
 * ORPHANS double-forked orphans behind, stays STAY_MILLIS after its start (time for the agent to
 * start and say what it has to say), then waits up to WAIT_MILLIS for no zombie child to be left,
 * and prints zombies_left if asked to report. Its main returns while the agent's threads still run: the JVM
 * must exit anyway.
 */
public final class QuietApp {
    public static void main(String[] args) throws Exception {
        long started = System.currentTimeMillis();
        int orphans = Integer.parseInt(args[0]);
        long waitMillis = Long.parseLong(args[1]);
        long stayMillis = Long.parseLong(args[2]);
        boolean report = args.length > 3 && args[3].equals("report");
        if (orphans > 0) {
            new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt " + orphans + " ]; do (true &); i=$((i+1)); done").start().waitFor();
        }
        Thread.sleep(Math.max(0, started + stayMillis - System.currentTimeMillis()));
        int left = Zombies.awaitNone(ProcessHandle.current().pid(), waitMillis);
        if (report) {
            System.out.println("zombies_left=" + left);
        }
    }
}
