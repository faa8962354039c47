package dev.reaper.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import dev.reaper.options.Options;
import dev.reaper.report.AgentProperties;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * {@code attach PID [OPTIONS]} loads the agent into a running JVM; {@code status PID} shows its
 * figures there. Both read the agent's state from the target's agent properties (see
 * AgentProperties), so neither starts JMX in the target.
 */
final class Attach {
    /** Distinct exit statuses, as the README lists them. */
    static final int NO_SUCH_PROCESS = 3;

    static final int NOT_A_JVM = 4;
    static final int OTHER_USER = 5;
    static final int ATTACH_DISABLED = 6;
    static final int NO_ATTACH_MODULE = 7;
    static final int AGENT_FAILED = 8;
    static final int NOT_RUNNING = 9;

    private static final long WAIT_MILLIS = 10_000;

    private final PrintStream out;
    private final PrintStream err;

    Attach(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * @param parsed {@code options}, parsed (the command line tool checked them)
     */
    int attach(long pid, String options, Options parsed, String agentJar) {
        return withVm(
                pid,
                (vm, target) -> {
                    String state = vm.getAgentProperties().getProperty(AgentProperties.STATE);
                    if (state != null && state.startsWith("failed")) {
                        err.println(
                                "reaper: the agent is loaded in "
                                        + pid
                                        + " but did not start: "
                                        + state.substring(state.indexOf(':') + 1).strip());
                        return AGENT_FAILED;
                    }
                    if (state != null && (options == null || !options.contains("grace="))) {
                        out.println(
                                "reaper is already running in "
                                        + pid
                                        + " ("
                                        + state
                                        + "), "
                                        + reaped(vm.getAgentProperties()));
                        return Cli.OK;
                    }
                    if (state != null) {
                        // attached again with grace=: the running agent takes the new grace, for
                        // the zombies waiting out theirs too
                        try {
                            vm.loadAgent(loadablePath(target, agentJar), options);
                        } catch (AgentInitializationException | AgentLoadException e) {
                            err.println(
                                    "reaper: the agent in "
                                            + pid
                                            + " did not take the new grace ("
                                            + e.getMessage()
                                            + "); the JVM's log says more");
                            return AGENT_FAILED;
                        }
                        Properties agent = awaitGrace(vm, parsed.grace().toMillis());
                        out.println(
                                "reaper is already running in "
                                        + pid
                                        + " ("
                                        + state
                                        + "), "
                                        + reaped(agent)
                                        + "; grace is now "
                                        + seconds(
                                                Long.parseLong(
                                                        agent.getProperty(
                                                                AgentProperties.PREFIX
                                                                        + "graceMillis",
                                                                "0"))));
                        report(pid, agent, false);
                        return Cli.OK;
                    }
                    Path jar = Path.of(agentJar);
                    Path copy = null;
                    if (!target.sees(jar)) {
                        try {
                            copy = copyInto(target, jar);
                        } catch (IOException e) {
                            err.println(
                                    "reaper: JVM "
                                            + pid
                                            + " runs in another file system (a container) and the agent's jar could not be"
                                            + " copied into its /tmp ("
                                            + e
                                            + "); start it there with -javaagent, or make its /tmp writable");
                            return AGENT_FAILED;
                        }
                    }
                    try {
                        vm.loadAgent(
                                copy == null ? agentJar : "/" + target.root().relativize(copy),
                                options == null ? "" : options);
                    } catch (AgentInitializationException | AgentLoadException e) {
                        err.println(
                                "reaper: the agent did not start in "
                                        + pid
                                        + " ("
                                        + e.getMessage()
                                        + "); the JVM's log says more");
                        if (copy != null) {
                            Files.deleteIfExists(copy);
                        }
                        return AGENT_FAILED;
                    }
                    Properties agent = awaitState(vm);
                    state = agent.getProperty(AgentProperties.STATE, "not reported");
                    if (!state.equals("running")) {
                        err.println("reaper: the agent did not start in " + pid + ": " + state);
                        return AGENT_FAILED;
                    }
                    agent = awaitLook(vm);
                    out.println(
                            "attached to "
                                    + pid
                                    + ": reaper "
                                    + agent.getProperty(AgentProperties.PREFIX + "version")
                                    + " running as "
                                    + agent.getProperty(AgentProperties.PREFIX + "role")
                                    + ", "
                                    + reaped(agent));
                    report(pid, agent, true);
                    if (copy != null) {
                        out.println(
                                "it runs in another file system (a container): the agent's jar was copied there as /"
                                        + target.root().relativize(copy)
                                        + ", where the JVM reads it");
                    }
                    hintDynamicAgentWarning(vm);
                    return Cli.OK;
                });
    }

    /**
     * What the agent found, once it has looked: the zombies it reaped at once (adopted orphans),
     * and those that may be the JVM's own, which wait out the grace, with when they will be reaped
     * and how to reap them at once.
     */
    private void report(long pid, Properties agent, boolean justAttached) {
        List<Waiting> waiting =
                Waiting.parse(agent.getProperty(AgentProperties.PREFIX + "waiting", ""));
        long grace = Long.parseLong(agent.getProperty(AgentProperties.PREFIX + "graceMillis", "0"));
        if (waiting.isEmpty()) {
            out.println(
                    justAttached
                            ? "every zombie it found was an orphan the JVM had adopted: reaped at once"
                            : "no zombie waits out a grace period now");
            return;
        }
        long last = 0;
        for (Waiting zombie : waiting) {
            last = Math.max(last, zombie.firstSeen() + grace);
        }
        long now = System.currentTimeMillis();
        out.println(
                waiting.size()
                        + " zombies may be the JVM's own children (children of its threads that ended before the agent came:"
                        + " nothing tells them from orphans): they wait out the grace of "
                        + seconds(grace)
                        + " and are reaped by "
                        + Instant.ofEpochMilli(last)
                        + " (in "
                        + seconds(Math.max(0, last - now))
                        + "), unless whatever started them waits for them first");
        out.println(
                "to reap them at once: java -jar reaper.jar attach "
                        + pid
                        + " grace=0s (safe unless native code in the JVM that started"
                        + " processes still means to wait for them itself; the JDK's own Process children are never reaped by the agent)");
    }

    int status(long pid) {
        return withVm(
                pid,
                (vm, target) -> {
                    Properties agent = vm.getAgentProperties();
                    String state = agent.getProperty(AgentProperties.STATE);
                    if (state == null) {
                        err.println(
                                "reaper: not running in "
                                        + pid
                                        + "; start it there with: java -jar reaper.jar attach "
                                        + pid);
                        return NOT_RUNNING;
                    }
                    out.println("pid:                 " + pid);
                    out.println("state:               " + state);
                    for (String key :
                            new String[] {
                                "version",
                                "role",
                                "zombiesReaped",
                                "lastReapTime",
                                "signalsRelayed",
                                "processesSignalled",
                                "processesKilled",
                                "startTime",
                                "options"
                            }) {
                        String value = agent.getProperty(AgentProperties.PREFIX + key, "");
                        if (key.endsWith("Time")) {
                            value =
                                    value.isEmpty() || value.equals("0")
                                            ? "never"
                                            : Instant.ofEpochMilli(Long.parseLong(value))
                                                    .toString();
                        }
                        out.printf("%-20s %s%n", label(key) + ":", value);
                    }
                    List<Waiting> waiting =
                            Waiting.parse(
                                    agent.getProperty(AgentProperties.PREFIX + "waiting", ""));
                    long grace =
                            Long.parseLong(
                                    agent.getProperty(AgentProperties.PREFIX + "graceMillis", "0"));
                    out.printf(
                            "%-20s %d (grace %s; pids as the JVM's pid namespace numbers them)%n",
                            "waiting out grace:", waiting.size(), seconds(grace));
                    long now = System.currentTimeMillis();
                    for (Waiting zombie : waiting) {
                        long age = Math.max(0, now - zombie.firstSeen());
                        out.printf(
                                "  pid %-8d %-16s seen %s ago, reaped in %s%n",
                                zombie.pid(),
                                command(target, zombie.pid()),
                                seconds(age),
                                seconds(Math.max(0, grace - age)));
                    }
                    return Cli.OK;
                });
    }

    /**
     * The agent's jar as the target sees it: where the first attach put it, if it runs in another
     * file system.
     */
    private static String loadablePath(Target target, String agentJar) throws IOException {
        if (target.sees(Path.of(agentJar))) {
            return agentJar;
        }
        return copyInto(target, Path.of(agentJar)).toString().replace(target.root().toString(), "");
    }

    private interface VmAction {
        int apply(VirtualMachine vm, Target target) throws IOException;
    }

    /**
     * Checks the target from /proc, attaches, runs the action, detaches; every failure is one line
     * and its own status. Needs module jdk.attach: {@link Cli} checks that before it touches this
     * class.
     */
    private int withVm(long pid, VmAction action) {
        Target target = new Target(pid);
        try {
            if (!target.exists()) {
                err.println("reaper: no process " + pid);
                return NO_SUCH_PROCESS;
            }
            long self = new Target(ProcessHandle.current().pid()).uid();
            long owner = target.uid();
            if (self != 0 && owner != self) {
                err.println(
                        "reaper: process "
                                + pid
                                + " belongs to user "
                                + owner
                                + ", not to you ("
                                + self
                                + "); run this as that user or as root");
                return OTHER_USER;
            }
            if (!target.isJvm()) {
                err.println(
                        "reaper: process "
                                + pid
                                + " is not a Java virtual machine (no libjvm.so in its memory map)");
                return NOT_A_JVM;
            }
            if (target.attachDisabled()) {
                err.println(
                        "reaper: JVM "
                                + pid
                                + " was started with -XX:+DisableAttachMechanism: nothing can attach to it;"
                                + " restart it without, or with -javaagent:reaper.jar");
                return ATTACH_DISABLED;
            }
            VirtualMachine vm;
            try {
                vm = VirtualMachine.attach(Long.toString(pid));
            } catch (AttachNotSupportedException | IOException e) {
                err.println("reaper: cannot attach to JVM " + pid + " (" + e.getMessage() + ")");
                return ATTACH_DISABLED;
            }
            try {
                return action.apply(vm, target);
            } finally {
                vm.detach();
            }
        } catch (IOException e) {
            err.println("reaper: " + pid + ": " + e.getMessage());
            return AGENT_FAILED;
        }
    }

    /**
     * Copies the agent's jar into the /tmp of a JVM in another mount namespace, through
     * /proc/PID/root, as async-profiler does with its library; the JDK's attach mechanism finds the
     * target's socket in that same /tmp. The copy stays: the JVM reads classes from it.
     *
     * <p>Written (maybe as root) into a file system the container controls: a symbolic link there
     * would point into ours, so /tmp must be a directory, not a link, and the copy is a new file
     * (createTempFile: O_EXCL) written without following links. Readable by all, so that a JVM
     * running as another user in the container can read it.
     */
    private static Path copyInto(Target target, Path jar) throws IOException {
        Path tmp = target.root().resolve("tmp");
        if (!Files.readAttributes(tmp, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .isDirectory()) {
            throw new IOException("its /tmp is not a directory");
        }
        Path copy =
                Files.createTempFile(
                        tmp,
                        "reaper-",
                        ".jar",
                        PosixFilePermissions.asFileAttribute(
                                PosixFilePermissions.fromString("rw-r--r--")));
        try (OutputStream to =
                Files.newOutputStream(copy, LinkOption.NOFOLLOW_LINKS, StandardOpenOption.WRITE)) {
            Files.copy(jar, to);
        } catch (IOException e) {
            Files.deleteIfExists(copy);
            throw e;
        }
        return copy;
    }

    /**
     * A zombie waiting out its grace: its pid and when the agent first saw it (epoch milliseconds).
     */
    record Waiting(long pid, long firstSeen) {
        /** "PID@MILLIS PID@MILLIS ...", as the agent publishes it. */
        static List<Waiting> parse(String list) {
            List<Waiting> waiting = new ArrayList<>();
            for (String item : list.split(" ", -1)) {
                int at = item.indexOf('@');
                if (at > 0) {
                    waiting.add(
                            new Waiting(
                                    Long.parseLong(item.substring(0, at)),
                                    Long.parseLong(item.substring(at + 1))));
                }
            }
            return waiting;
        }
    }

    /**
     * Polls the target's agent properties until the agent has looked at every thread's children
     * once, for up to ten seconds.
     */
    private static Properties awaitLook(VirtualMachine vm) throws IOException {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        Properties agent = vm.getAgentProperties();
        while (!"true".equals(agent.getProperty(AgentProperties.PREFIX + "looked"))
                && System.currentTimeMillis() < deadline) {
            pause();
            agent = vm.getAgentProperties();
        }
        return agent;
    }

    /**
     * Polls the target's agent properties until the agent has looked again with the new grace, for
     * up to ten seconds.
     */
    private static Properties awaitGrace(VirtualMachine vm, long graceMillis) throws IOException {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        Properties agent = vm.getAgentProperties();
        while (!Long.toString(graceMillis)
                        .equals(agent.getProperty(AgentProperties.PREFIX + "graceMillis"))
                && System.currentTimeMillis() < deadline) {
            pause();
            agent = vm.getAgentProperties();
        }
        return agent;
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + " s" : String.format("%.1f s", millis / 1000.0);
    }

    /**
     * A process's command as the target's own /proc shows it: in a container, pids are its pid
     * namespace's.
     */
    private static String command(Target target, long pid) {
        try {
            return Files.readString(target.root().resolve("proc/" + pid + "/comm")).strip();
        } catch (IOException e) {
            return "(gone)";
        }
    }

    /**
     * Polls the target's agent properties until the agent says running or failed, for up to ten
     * seconds.
     */
    private static Properties awaitState(VirtualMachine vm) throws IOException {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        Properties agent = vm.getAgentProperties();
        while (!isSettled(agent.getProperty(AgentProperties.STATE))
                && System.currentTimeMillis() < deadline) {
            pause();
            agent = vm.getAgentProperties();
        }
        return agent;
    }

    private static boolean isSettled(String state) {
        return state != null && !state.equals("starting");
    }

    /**
     * JDK 21+ warns in the target's log about agents loaded into a running JVM: say how to avoid
     * that.
     */
    private void hintDynamicAgentWarning(VirtualMachine vm) throws IOException {
        String version = vm.getSystemProperties().getProperty("java.specification.version", "17");
        if (Integer.parseInt(version.replaceFirst("\\..*", "")) >= 21) {
            out.println(
                    "note: Java "
                            + version
                            + " printed a warning about a dynamically loaded agent in the JVM's log;"
                            + " to silence it next time, start the JVM with -XX:+EnableDynamicAgentLoading, or load reaper with -javaagent");
        }
    }

    private static String reaped(Properties agent) {
        return agent.getProperty(AgentProperties.PREFIX + "zombiesReaped", "0")
                + " zombies reaped so far";
    }

    private static String label(String key) {
        return key.replaceAll("([A-Z])", " $1").toLowerCase(java.util.Locale.ROOT);
    }
}
