package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.Jvm.Running;
import dev.reaper.it.apps.PeerApp;
import dev.reaper.kit.Await;
import dev.reaper.kit.ProcessTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scenarios of the peers' own test suites that apply to an in-JVM reaper, ported: tini's test/
 * (run_inner_tests.py: reaping, reaping display, signals, process group, subreaper, exit-code
 * remap, signal configuration) and dumb-init's tests/ (exit_status_test, proxies_signals_test,
 * child_processes_test, test-zombies). Where the JVM is the init, it runs as PID 1 of a pid
 * namespace; where they test a subreaper, it runs as one. The manual's src/docs/peers.md says which
 * scenarios apply and why the others do not.
 */
@ExtendWith(Jvm.Cleanup.class)
class PeerScenariosIT {
    /**
     * tini's reaping/stage_2.py: 100 children that outlive their parent by a second or so (here: by
     * half a second to a second). Each waits until the shell has exited (tail --pid) before it
     * sleeps: a child that ended while the shell was still starting the others would be reaped by
     * the shell (dash reaps on SIGCHLD), not adopted, as happened on a loaded machine, where the
     * loop took longer than 0.5 s.
     */
    private static final String STAGE_2 =
            "i=0; while [ $i -lt 100 ]; do (tail --pid=$$ -s 0.05 -f /dev/null; sleep 0.$((5 + i % 5))) & i=$((i+1)); done";

    @TempDir Path dir;

    /**
     * tini: reaping test, PID 1; with -w (here log=info) each reaped zombie is logged. dumb-init:
     * test-zombies.
     */
    @Test
    void tiniReapingAsPid1EveryOrphanIsReapedAndLoggedWithLogInfo() throws Exception {
        Result result =
                Jvm.on(Jdk.JDK17)
                        .asPid1()
                        .withAgent("log=info")
                        .run(
                                PeerApp.class,
                                Duration.ofSeconds(60),
                                dir.toString(),
                                "reap",
                                STAGE_2);

        assertThat(result.values())
                .as("%s", result)
                .containsAllEntriesOf(
                        Map.of("shell", "0", "descendants_left", "0", "zombies_left", "0"));
        assertThat(result.stderr().lines().filter(l -> l.contains("reaper: reaped zombie")).count())
                .as("%s", result)
                .isEqualTo(100);
    }

    /**
     * tini -s / TINI_SUBREAPER: the same, not PID 1 but a child subreaper; and without -w nothing
     * is said.
     */
    @Test
    void tiniReapingAsSubreaperEveryOrphanIsReapedSilently() throws Exception {
        Result result =
                Jvm.on(Jdk.JDK17)
                        .withAgent(null)
                        .run(
                                PeerApp.class,
                                Duration.ofSeconds(60),
                                dir.toString(),
                                "reap",
                                STAGE_2);

        assertThat(result.values())
                .as("%s", result)
                .containsAllEntriesOf(
                        Map.of("shell", "0", "descendants_left", "0", "zombies_left", "0"));
        assertThat(result.stderr()).isEmpty();
    }

    /**
     * tini's failure test: neither PID 1 nor a subreaper, the orphans go elsewhere (to the reaper
     * of the JVM's parent, which reaps them), and it warns. At log=info each zombie the JVM reaped
     * would be a line: there is none, and the JVM had no descendant left the moment its shell
     * ended.
     */
    @Test
    void tiniReapingFailureNeitherPid1NorSubreaperItWarns() throws Exception {
        Result result =
                Jvm.on(Jdk.JDK17)
                        .withAgent("subreaper=false,log=info")
                        .run(
                                PeerApp.class,
                                Duration.ofSeconds(60),
                                dir.toString(),
                                "reap",
                                STAGE_2);

        assertThat(result.values())
                .as("%s", result)
                .containsAllEntriesOf(
                        Map.of("shell", "0", "descendants_left", "0", "zombies_left", "0"));
        assertThat(AgentLoadingIT.lines(result.stderr(), "WARNING: reaper:"))
                .as("%s", result)
                .singleElement()
                .asString()
                .startsWith(
                        "WARNING: reaper: neither PID 1 nor a child subreaper (subreaper=false)");
        assertThat(AgentLoadingIT.lines(result.stderr(), "reaper: reaped zombie"))
                .as("the orphans went elsewhere%n%s", result)
                .isEmpty();
    }

    /**
     * tini's signals test and dumb-init's proxies_signals_test, for the signals a JVM ends on: the
     * signal reaches the child as itself, and the JVM exits with 128 + signal (tini: the same).
     */
    @ParameterizedTest
    @CsvSource({"TERM, 143", "INT, 130", "HUP, 129"})
    void tiniSignalsTheSignalReachesTheChildAndTheJvmEndsWith128PlusIt(String signal, int status)
            throws Exception {
        Running jvm =
                Jvm.on(Jdk.JDK17)
                        .asPid1()
                        .withAgent(null)
                        .start(PeerApp.class, dir.toString(), "stay", recorder());
        awaitFile("ready");
        awaitFile("child-ready");
        jvm.signal(signal);
        Result result = jvm.await(Duration.ofSeconds(30));

        assertThat(result.status()).as("%s", result).isEqualTo(status);
        assertThat(Files.readString(dir.resolve("got"))).isEqualTo(signal + "\n");
        assertThat(result.stderr()).as("nothing left for SIGKILL at stop-timeout").isEmpty();
    }

    /**
     * dumb-init's ignored signals (-r SIGINT:0): with relay=TERM, SIGINT ends the JVM alone; the
     * child gets nothing.
     */
    @Test
    void dumbInitSignalsLeftOutOfTheRelayAreNotProxied() throws Exception {
        Running jvm =
                Jvm.on(Jdk.JDK17)
                        .withAgent("relay=TERM")
                        .start(PeerApp.class, dir.toString(), "stay", recorder());
        awaitFile("ready");
        awaitFile("child-ready");
        long child = Long.parseLong(Files.readString(dir.resolve("child-ready")).strip());
        try {
            jvm.signal("INT");
            Result result = jvm.await(Duration.ofSeconds(30));

            assertThat(result.status()).as("%s", result).isEqualTo(130);
            assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive))
                    .as("the child runs on")
                    .contains(true);
            assertThat(dir.resolve("got")).doesNotExist();
        } finally {
            // the recorder, and its sleep
            ProcessHandle.of(child).ifPresent(ProcessTable::killTree);
        }
    }

    /**
     * tini -g (pgroup/stage_1.py): the child ignores the signal and waits for a grandchild that
     * does not; the signal must reach the grandchild, so that the child, and then the JVM, end.
     * With dumb-init's pipeline (child_processes_test, setsid mode): every process of the tree
     * ends. stop-timeout=30m: had anything needed a SIGKILL, the JVM would outlive the test's
     * deadline.
     */
    @Test
    void tiniProcessGroupAndDumbInitPipelineTheWholeTreeGetsTheSignal() throws Exception {
        String script =
                "yes 'oh, hi' | tail > /dev/null & yes error | tail > /dev/null &"
                        + " trap '' TERM; : > "
                        + dir.resolve("child-ready")
                        + "; env --default-signal=TERM sleep 1000; echo $? > "
                        + dir.resolve("grandchild");
        Running jvm =
                Jvm.on(Jdk.JDK17)
                        .asPid1()
                        .withAgent("stop-timeout=30m,stop-budget=1h")
                        .start(PeerApp.class, dir.toString(), "stay", script);
        awaitFile("ready");
        awaitFile("child-ready");
        long pid = jvm.pid();
        // sh, 2 x (yes, tail), sleep
        Await.until(
                "the tree is up",
                Duration.ofSeconds(10),
                () -> ProcessTable.descendants(pid).size() >= 6);
        List<ProcessHandle> tree = ProcessHandle.of(pid).orElseThrow().descendants().toList();
        jvm.signal("TERM");
        Result result = jvm.await(Duration.ofSeconds(30));

        assertThat(result.status()).as("%s", result).isEqualTo(143);
        assertThat(Files.readString(dir.resolve("grandchild")))
                .as("the grandchild ended by SIGTERM")
                .isEqualTo("143\n");
        assertThat(tree.stream().filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(result.stderr()).isEmpty();
    }

    /**
     * dumb-init (setsid mode): when the child exits, the rest of the tree gets SIGTERM; here, when
     * the JVM exits normally (stop-on-exit=true, the default). With stop-on-exit=false (dumb-init
     * without setsid) nothing is sent.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void dumbInitOnANormalExitTheDescendantsGetTermUnlessStopOnExitFalse(boolean stopOnExit)
            throws Exception {
        // as PID 1, like dumb-init: only a container's main process stops its descendants on a
        // normal exit (src/docs/shutdown.md)
        Result result =
                Jvm.on(Jdk.JDK17)
                        .withAgent("stop-on-exit=" + stopOnExit)
                        .asPid1()
                        .run(
                                PeerApp.class,
                                Duration.ofSeconds(30),
                                dir.toString(),
                                "return",
                                recorder());
        awaitFile("child-ready");

        assertThat(result.status()).as("%s", result).isZero();
        if (stopOnExit) {
            awaitFile("got");
            assertThat(Files.readString(dir.resolve("got"))).isEqualTo("TERM\n");
        } else {
            assertThat(dir.resolve("got"))
                    .as("no TERM: the kernel SIGKILLed it when PID 1 ended")
                    .doesNotExist();
        }
    }

    /**
     * tini's exclusive exit-code test and dumb-init's exit_status_test: every status but one is
     * remapped, and the JVM exits with that one, unchanged. Remaps apply to the statuses a shutdown
     * signal gives (129, 130, 143) only: the application's own System.exit is its own to choose.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 64, 127, 129, 130, 143, 255})
    void tiniExitCodeExclusiveTheJvmsOwnStatusIsNeverChanged(int status) throws Exception {
        String allOthers =
                IntStream.range(0, 256)
                        .filter(s -> s != status)
                        .mapToObj(s -> "exit-remap=" + s + ":" + (s == 0 ? 1 : 0))
                        .collect(Collectors.joining(","));
        Result result =
                Jvm.on(Jdk.JDK17)
                        .asPid1()
                        .withAgent(allOthers)
                        .run(
                                PeerApp.class,
                                Duration.ofSeconds(30),
                                dir.toString(),
                                "exit=" + status);

        assertThat(result.status()).as("%s", result).isEqualTo(status);
    }

    /**
     * tini's inclusive exit-code test (-e CODE), for the statuses a shutdown signal gives: remapped
     * to any status from 0 to 255.
     */
    @ParameterizedTest
    @CsvSource({"TERM, 143, 0", "TERM, 143, 143", "TERM, 143, 255", "INT, 130, 2", "HUP, 129, 254"})
    void tiniExitCodeInclusiveAShutdownStatusIsRemapped(String signal, int from, int to)
            throws Exception {
        Running jvm =
                Jvm.on(Jdk.JDK17)
                        .asPid1()
                        .withAgent("exit-remap=" + from + ":" + to)
                        .start(PeerApp.class, dir.toString(), "stay", "exec sleep 1000");
        awaitFile("ready");
        jvm.signal(signal);

        assertThat(jvm.await(Duration.ofSeconds(30)).status()).isEqualTo(to);
    }

    /**
     * tini's signal configuration test (sigconf-test.c): a child inherits the ignored and blocked
     * signals the init was started with. Here: what a child of the JVM inherits, started under a
     * shell that ignores INT and TTOU, is the same with the agent as without.
     */
    @Test
    void tiniSignalConfigurationAChildInheritsTheSameWithTheAgentAsWithout() throws Exception {
        String show = "grep -E '^Sig(Blk|Ign):' /proc/self/status";
        Result without =
                Jvm.on(Jdk.JDK17)
                        .afterShell("trap '' INT TTOU")
                        .run(
                                PeerApp.class,
                                Duration.ofSeconds(30),
                                dir.toString(),
                                "sigconf",
                                show);
        Result with =
                Jvm.on(Jdk.JDK17)
                        .afterShell("trap '' INT TTOU")
                        .withAgent(null)
                        .run(
                                PeerApp.class,
                                Duration.ofSeconds(30),
                                dir.toString(),
                                "sigconf",
                                show);

        assertThat(without.stdout()).contains("SigIgn:").contains("SigBlk:");
        long ignored =
                Long.parseLong(
                        without.stdout().replaceFirst("(?s).*SigIgn:\\s*([0-9a-f]+).*", "$1"), 16);
        assertThat(ignored & (1L << (2 - 1) | 1L << (22 - 1)))
                .as("INT and TTOU ignored")
                .isEqualTo(1L << (2 - 1) | 1L << (22 - 1));
        assertThat(with.stdout()).isEqualTo(without.stdout());
    }

    /**
     * A shell script that writes its pid to DIR/child-ready, then, on TERM, INT or HUP, the
     * signal's name to DIR/got, and exits.
     */
    private String recorder() {
        StringBuilder script = new StringBuilder();
        for (String signal : List.of("TERM", "INT", "HUP")) {
            script.append("trap 'echo ")
                    .append(signal)
                    .append(" > ")
                    .append(dir.resolve("got"))
                    .append("; kill $p; exit 0' ")
                    .append(signal)
                    .append("; ");
        }
        // the sleep runs in the background, where a shell ignores SIGINT: the trap ends it
        return script
                + "echo $$ > "
                + dir.resolve("child-ready")
                + "; while :; do sleep 1000 & p=$!; wait $p; done";
    }

    /** Waits until DIR/NAME exists; "got" until the signal's name is in it too. */
    private void awaitFile(String name) throws Exception {
        Path file = dir.resolve(name);
        Await.until(
                name + " written",
                Duration.ofSeconds(30),
                () -> Files.exists(file) && (Files.size(file) > 0 || !name.equals("got")));
    }
}
