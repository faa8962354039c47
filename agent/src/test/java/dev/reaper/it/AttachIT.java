package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.Jvm.Running;
import dev.reaper.it.apps.AttachTargetApp;
import dev.reaper.it.apps.Zombies;
import dev.reaper.kit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** java -jar reaper.jar attach / status / zombies, against real JVMs and real zombies. */
@ExtendWith(Jvm.Cleanup.class)
class AttachIT {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void attachedToAJvmThatLeaksItReapsTheZombiesThereAndNewOnes(Jdk jdk) throws Exception {
        Running jvm = Jvm.on(jdk).asPid1().start(AttachTargetApp.class, dir.toString(), "20");
        awaitFile("ready");
        long pid = jvm.pid();
        assertThat(Zombies.childrenOf(pid))
                .as("without the agent the orphans stay zombies")
                .isEqualTo(20);

        // The zombies there may be children of threads that ended before the agent came: they get
        // the grace period.
        Result attach = ReaperCli.run("attach", "" + pid, "grace=2s");
        assertThat(attach.status()).as("%s", attach).isZero();
        assertThat(attach.stdout().lines().findFirst().orElse(""))
                .matches(
                        "attached to "
                                + pid
                                + ": reaper \\S+ running as PID 1, \\d+ zombies reaped so far");
        if (jdk == Jdk.JDK25) {
            assertThat(attach.stdout()).contains("-XX:+EnableDynamicAgentLoading");
        }
        assertThat(Zombies.childrenOf(pid)).as("not before their grace is over").isEqualTo(20);
        assertThat(Zombies.awaitNone(pid, 30_000)).isZero();

        Files.writeString(dir.resolve("more"), "");
        awaitFile("more-done");
        assertThat(Zombies.awaitNone(pid, 10_000)).as("new ones are reaped too").isZero();

        Result status = ReaperCli.run("status", "" + pid);
        assertThat(status.status()).isZero();
        assertThat(status.stdout())
                .contains(
                        "state:               running",
                        "zombies reaped:      40",
                        "role:                PID 1");
    }

    /**
     * Attached to a JVM holding zombies, the agent cannot tell those its dead threads started from
     * orphans: attach says how many wait out the grace, when they will be reaped and how to reap
     * them at once; status lists them with their ages; attaching again with grace=0s reaps them at
     * once.
     */
    @Test
    void attachSaysWhatItFoundAndWhenAndGraceZeroReapsAtOnce() throws Exception {
        Running jvm = Jvm.on(Jdk.JDK17).asPid1().start(AttachTargetApp.class, dir.toString(), "20");
        awaitFile("ready");
        long pid = jvm.pid();

        Result attach = ReaperCli.run("attach", "" + pid);
        assertThat(attach.status()).as("%s", attach).isZero();
        List<String> said = attach.stdout().lines().toList();
        assertThat(said.get(1))
                .startsWith("20 zombies may be the JVM's own children")
                .contains("wait out the grace of 60 s and are reaped by ");
        assertThat(said.get(2))
                .startsWith(
                        "to reap them at once: java -jar reaper.jar attach " + pid + " grace=0s");

        Result status = ReaperCli.run("status", "" + pid);
        assertThat(status.stdout())
                .as("%s", status)
                .contains("waiting out grace:   20 (grace 60 s;");
        assertThat(
                        status.stdout()
                                .lines()
                                .filter(
                                        l ->
                                                l.matches(
                                                        "  pid \\d+ +\\S+ +seen [0-9.]+ s ago, reaped in [0-9.]+ s")))
                .hasSize(20);
        assertThat(Zombies.childrenOf(pid)).as("waiting out their grace").isEqualTo(20);

        Result cure = ReaperCli.run("attach", "" + pid, "grace=0s");
        assertThat(cure.stdout())
                .as("%s", cure)
                .contains("grace is now 0 s")
                .contains("no zombie waits out a grace period now");
        assertThat(Zombies.awaitNone(pid, 10_000))
                .as("reaped at once, not after the 60 s grace")
                .isZero();
    }

    @Test
    void aJvmThatHasTheAgentAlreadyIsSaidSo() throws Exception {
        Running jvm =
                Jvm.on(Jdk.JDK17)
                        .withAgent(null)
                        .start(AttachTargetApp.class, dir.toString(), "0")
                        .awaitAgentReady();
        Result attach = ReaperCli.run("attach", "" + jvm.pid());

        assertThat(attach.status()).isZero();
        assertThat(attach.stdout())
                .startsWith(
                        "reaper is already running in "
                                + jvm.pid()
                                + " (running), 0 zombies reaped so far");
    }

    @Test
    void eachErrorHasItsLineAndItsStatus() throws Exception {
        expect(ReaperCli.run("attach", "2147483646"), 3, "reaper: no process 2147483646");

        Process sleep = new ProcessBuilder("sleep", "60").start();
        expect(
                ReaperCli.run("attach", "" + sleep.pid()),
                4,
                "reaper: process "
                        + sleep.pid()
                        + " is not a Java virtual machine (no libjvm.so in its memory map)");
        assertThat(sleep.isAlive()).as("nothing was sent to it (attaching sends SIGQUIT)").isTrue();
        sleep.destroy();

        Running plain = Jvm.on(Jdk.JDK17).start(AttachTargetApp.class, dir.toString(), "0");
        awaitFile("ready");
        long pid = plain.pid();
        Path forAll = agentForAll();
        try {
            expect(
                    ReaperCli.runAs(
                            List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"),
                            forAll,
                            "attach",
                            "" + pid),
                    5,
                    "reaper: process "
                            + pid
                            + " belongs to user 0, not to you (65534); run this as that user or as root");
        } finally {
            Files.delete(forAll);
            Files.delete(forAll.getParent());
        }
        expect(
                ReaperCli.run(
                        List.of(
                                Jdk.JDK17.java().toString(),
                                "--limit-modules",
                                "java.base,java.instrument,java.logging,jdk.unsupported"),
                        "attach",
                        "" + pid),
                7,
                "reaper: this Java runtime has no module jdk.attach (a JRE, or a jlinked image): run reaper.jar with a full JDK");
        expect(
                ReaperCli.run("attach", "" + pid, "sweep=fast"),
                2,
                "reaper: bad value 'fast' for sweep; accepted: a duration from 10ms to 1h, e.g. 500ms, 2s, 1m");
        expect(
                ReaperCli.run("status", "" + pid),
                9,
                "reaper: not running in "
                        + pid
                        + "; start it there with: java -jar reaper.jar attach "
                        + pid);
        expect(
                ReaperCli.run("attach", "twelve"),
                2,
                "reaper: 'twelve' is not a process id (a positive number)");
        expect(
                ReaperCli.run("detach", "" + pid),
                2,
                "reaper: unknown command 'detach'; accepted: attach, status, zombies, --version, --help");

        Path closedDir = Files.createDirectories(dir.resolve("closed"));
        Running closed =
                Jvm.on(Jdk.JDK17)
                        .option("-XX:+DisableAttachMechanism")
                        .start(AttachTargetApp.class, closedDir.toString(), "0");
        Await.until(
                "the JVM with attach disabled is up",
                DEADLINE,
                () -> Files.exists(closedDir.resolve("ready")));
        long closedPid = closed.pid();
        expect(
                ReaperCli.run("attach", "" + closedPid),
                6,
                "reaper: JVM "
                        + closedPid
                        + " was started with -XX:+DisableAttachMechanism:"
                        + " nothing can attach to it; restart it without, or with -javaagent:reaper.jar");
    }

    @Test
    void zombiesListsThemWithTheirParentAndHowLongTheyHaveBeenDead() throws Exception {
        // sleep 30 never waits for its child, which stays a zombie
        Process parent = new ProcessBuilder("sh", "-c", "sleep 0.1 & exec sleep 60").start();
        Await.until("a zombie below sleep", DEADLINE, () -> Zombies.childrenOf(parent.pid()) == 1);
        Result result = ReaperCli.run("zombies", "" + parent.pid());
        parent.destroy();

        assertThat(result.status()).isZero();
        List<String> lines = result.stdout().lines().toList();
        assertThat(lines.get(0)).matches("\\s+PID\\s+PPID\\s+DEAD FOR\\s+COMMAND\\s+PARENT");
        assertThat(lines.get(1))
                .matches("\\s+\\d+\\s+" + parent.pid() + "\\s+\\d+(ms|\\.\\ds)\\s+sleep\\s+sleep");
        assertThat(lines.get(2)).isEqualTo("1 zombie");
        assertThat(ReaperCli.run("zombies", "" + ProcessHandle.current().pid()).stdout())
                .isEqualTo(
                        "no zombies among the descendants of "
                                + ProcessHandle.current().pid()
                                + "\n");
    }

    /**
     * reaper.jar where any user can read it: the checkout may lie in a directory that only its
     * owner can enter (mktemp -d makes it 0700), and the JDK's temporary directories are 0700 too.
     */
    private static Path agentForAll() throws Exception {
        Path shared = Files.createTempDirectory("reaper-it-shared");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path jar = Files.copy(Jvm.AGENT, shared.resolve("reaper.jar"));
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        return jar;
    }

    private static void expect(Result result, int status, String line) {
        assertThat(result.status()).as("%s", result).isEqualTo(status);
        assertThat(result.stderr()).as("%s", result).isEqualTo(line + "\n");
        assertThat(result.stdout()).isEmpty();
    }

    private void awaitFile(String name) throws Exception {
        Await.until(name + " appeared", DEADLINE, () -> Files.exists(dir.resolve(name)));
    }
}
