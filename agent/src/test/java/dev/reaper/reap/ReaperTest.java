package dev.reaper.reap;

import static dev.reaper.reap.FakeKernel.SELF;
import static dev.reaper.reap.FakeKernel.WORKER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.linux.Kernel;
import dev.reaper.proc.Stat;
import dev.reaper.reap.Reaper.Wait;
import dev.reaper.report.Figures;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The reaping loop's mechanics against a fake kernel, on both kinds: one that names zombies and
 * pins them (JNA's), and one that can do neither (the JDK's). One turn of work at a time, with the
 * clock given: no thread, no sleep.
 */
class ReaperTest {
    private static final Duration GRACE = Duration.ofSeconds(60);
    private static final long T0 = 1_000_000_000L;

    private final Figures figures = new Figures("test", "", "PID 1");

    private Reaper reaper(Kernel kernel, Set<Long> jdkWaitsFor, OwnedChildren owned) {
        return new Reaper(
                kernel,
                JdkChildren.of(jdkWaitsFor),
                owned,
                true,
                Duration.ofSeconds(5),
                GRACE,
                false,
                figures);
    }

    @ParameterizedTest(name = "native kernel: {0}")
    @ValueSource(booleans = {true, false})
    void anAdoptedOrphanIsReapedAtOnceWithItsStatus(boolean native_) {
        FakeKernel kernel = new FakeKernel(native_, native_);
        kernel.zombie(100, 7, SELF, 3);
        Reaper reaper = reaper(kernel, Set.of(), new OwnedChildren(SELF));

        work(reaper, kernel, T0);

        assertThat(kernel.reaped).containsExactly(100L);
        assertThat(figures.zombiesReaped()).isEqualTo(1);
        assertThat(reaper.nextWait())
                .as("more may have come: look again")
                .isIn(Wait.NOW, Wait.EXIT);
        assertThat(kernel.pinsHeld()).isZero();
    }

    @ParameterizedTest(name = "native kernel: {0}")
    @ValueSource(booleans = {true, false})
    void aZombieTheJdkWaitsForIsNeverReapedAndPolledForWithBackoff(boolean native_) {
        FakeKernel kernel = new FakeKernel(native_, native_);
        // its thread died: on the leader's list, but in the JDK's table
        kernel.zombie(100, 7, SELF, 1);
        Reaper reaper = reaper(kernel, Set.of(100L), new OwnedChildren(SELF));

        for (int turn = 0; turn < 5; turn++) {
            work(reaper, kernel, T0 + turn);
            assertThat(reaper.nextWait()).isEqualTo(Wait.POLL);
        }
        assertThat(kernel.reaped).isEmpty();
    }

    @ParameterizedTest(name = "native kernel: {0}")
    @ValueSource(booleans = {true, false})
    void aChildOfALiveThreadWaitsOutItsGraceThenIsReaped(boolean native_) {
        FakeKernel kernel = new FakeKernel(native_, native_);
        kernel.zombie(100, 7, WORKER, 0); // native code started it, and nobody waits for it
        Reaper reaper = reaper(kernel, Set.of(), new OwnedChildren(SELF));

        work(reaper, kernel, T0);
        assertThat(kernel.reaped).isEmpty();
        assertThat(reaper.nextWait()).isEqualTo(Wait.GRACE);

        work(reaper, kernel, T0 + GRACE.toNanos() - 1);
        assertThat(kernel.reaped).isEmpty();

        work(reaper, kernel, T0 + GRACE.toNanos());
        assertThat(kernel.reaped).containsExactly(100L);
    }

    @ParameterizedTest(name = "native kernel: {0}")
    @ValueSource(booleans = {true, false})
    void aThreadThatDiedLeavesItsOwnedChildToItsStarterForTheGrace(boolean native_) {
        FakeKernel kernel = new FakeKernel(native_, native_);
        OwnedChildren owned = new OwnedChildren(SELF);
        // recorded as its thread ended
        owned.record(new Stat(100, "child", 'S', SELF, 100, 100, 7));
        kernel.zombie(100, 7, SELF, 0); // then moved to the leader's list by the kernel
        Reaper reaper = reaper(kernel, Set.of(), owned);

        work(reaper, kernel, T0);
        assertThat(kernel.reaped).as("owned: not an orphan").isEmpty();

        work(reaper, kernel, T0 + GRACE.toNanos());
        assertThat(kernel.reaped).containsExactly(100L);
    }

    @ParameterizedTest(name = "native kernel: {0}")
    @ValueSource(booleans = {true, false})
    void anOwnedPidReusedByAnOrphanIsReapedAsAnOrphan(boolean native_) {
        FakeKernel kernel = new FakeKernel(native_, native_);
        OwnedChildren owned = new OwnedChildren(SELF);
        // pid 100 started at tick 7 was the JVM's...
        owned.record(new Stat(100, "child", 'S', SELF, 100, 100, 7));
        kernel.zombie(100, 9, SELF, 5); // ...but pid 100 now names an orphan started at tick 9
        Reaper reaper = reaper(kernel, Set.of(), owned);

        work(reaper, kernel, T0);

        assertThat(kernel.reaped).containsExactly(100L);
    }

    @ParameterizedTest(name = "native kernel: {0}")
    @ValueSource(booleans = {true, false})
    void aZombieWhosePidIsReusedDuringItsGraceIsNotReapedForIt(boolean native_) {
        FakeKernel kernel = new FakeKernel(native_, native_);
        kernel.zombie(100, 7, WORKER, 0);
        Reaper reaper = reaper(kernel, Set.of(), new OwnedChildren(SELF));
        work(reaper, kernel, T0);

        // reaped by its starter, and the pid reused by a new child of the same thread, a zombie too
        kernel.children.remove(100L);
        kernel.zombie(100, 8, WORKER, 0);
        work(reaper, kernel, T0 + GRACE.toNanos());

        assertThat(kernel.reaped).as("the new process has a grace of its own").isEmpty();
        work(reaper, kernel, T0 + 2 * GRACE.toNanos());
        assertThat(kernel.reaped).containsExactly(100L);
    }

    @Test
    void aPidReapedByAnotherBeforeItCouldBePinnedIsLeftAlone() {
        FakeKernel kernel =
                new FakeKernel(true, true) {
                    @Override
                    public int pin(long pid) {
                        children.remove(pid); // its starter reaped it between the look and the pin
                        return GONE;
                    }
                };
        kernel.zombie(100, 7, SELF, 0);
        Reaper reaper = reaper(kernel, Set.of(), new OwnedChildren(SELF));

        work(reaper, kernel, T0);

        assertThat(kernel.reaped).isEmpty();
        assertThat(figures.zombiesReaped()).isZero();
    }

    @Test
    void aChildWhoseThreadIsStillStartingIsRecordedAsTheJvmsOwnByAFullLook() {
        FakeKernel kernel = new FakeKernel(true, true);
        // running, on a live thread's list: not yet in the JDK's table
        kernel.child(100, 7, WORKER);
        OwnedChildren owned = new OwnedChildren(SELF);
        Reaper reaper = reaper(kernel, Set.of(), owned);

        kernel.zombie(200, 8, SELF, 0);
        work(reaper, kernel, T0); // the first turn looks at every thread's list

        assertThat(owned.holdsPid(100)).isTrue();
        assertThat(kernel.reaped).containsExactly(200L);
    }

    @Test
    void theJdksKernelWaitsForSigchldOnceALookFoundNothing() {
        FakeKernel kernel = new FakeKernel(false, false);
        kernel.child(100, 7, WORKER);
        Reaper reaper = reaper(kernel, Set.of(), new OwnedChildren(SELF));

        work(reaper, kernel, T0);

        assertThat(reaper.nextWait()).isEqualTo(Wait.EXIT);
    }

    @Test
    void theHandOverTakesEffectAtTheNextTurn() throws Exception {
        FakeKernel jdk = new FakeKernel(false, false);
        FakeKernel natives = new FakeKernel(true, true);
        jdk.zombie(100, 7, SELF, 0);
        natives.zombie(200, 7, SELF, 0);
        Reaper reaper = reaper(jdk, Set.of(), new OwnedChildren(SELF));
        work(reaper, jdk, T0);

        reaper.handOver(natives);
        reaper.work(natives, natives.zombie(false), T0 + 1);

        assertThat(jdk.reaped).containsExactly(100L);
        assertThat(natives.reaped).containsExactly(200L);
    }

    @Test
    void backoffDoublesUpToItsMaximumAndStartsAgainAfterAReset() {
        Backoff backoff = new Backoff(1, 5);
        assertThat(new long[] {backoff.next(), backoff.next(), backoff.next(), backoff.next()})
                .containsExactly(1, 2, 4, 5);
        backoff.reset();
        assertThat(backoff.next()).isEqualTo(1);
    }

    /** One turn's work, with what the kernel names now. */
    private static void work(Reaper reaper, FakeKernel kernel, long now) {
        try {
            reaper.work(kernel, kernel.zombie(false), now);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
