package dev.reaper.reap;

import static dev.reaper.proc.ProcessId.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.proc.ProcessId;
import dev.reaper.reap.Ownership.Decision;
import dev.reaper.reap.Ownership.Sighting;
import dev.reaper.reap.Ownership.Whose;
import dev.reaper.reap.Ownership.Zombie;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every rule and race of src/docs/reaping.md ("What is reaped"), as inputs to the one decision. */
class OwnershipTest {
    /**
     * Rules 1 to 3 (src/docs/reaping.md, "The rule") as a table: whose a child of the JVM is, from
     * the facts the reaper and the relay gather. Each row names its case.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            rule 1: the JDK waits for it, on a live thread's list                  | true  | false | false | true  | JDK
            rule 1: the JDK waits for it, on the leader's list (its thread died)   | true  | true  | false | true  | JDK
            rule 1: the JDK waits for it, whatever else is known                   | true  | true  | true  | false | JDK
            rule 2: an orphan on the leader's list, not owned                      | false | true  | false | true  | ADOPTED
            rule 3: a thread that died left its child on the leader's list, owned  | false | true  | true  | true  | OWN
            rule 3: a child whose thread still runs (or is still starting)         | false | false | false | true  | OWN
            rule 3: the JDK's window between fork and its table                    | false | false | false | true  | OWN
            rule 3: the leader runs Java, so its list is the JVM's own too          | false | true  | false | false | OWN
            """)
    void whoseAChildIs(
            String rule,
            boolean jdkWaits,
            boolean onLeader,
            boolean owned,
            boolean orphansAtOnce,
            Whose expected) {
        assertThat(Ownership.whose(jdkWaits, onLeader, owned, orphansAtOnce))
                .as(rule)
                .isEqualTo(expected);
    }

    /** "Owned" is this very process: a pid reused since it was recorded names another process. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            the same process                                  | 100 | 7  | 100 | 7  | true
            pid reuse: the pid now names a later process      | 100 | 7  | 100 | 9  | false
            another pid                                       | 100 | 7  | 101 | 7  | false
            start time not read (an orphan's): the pid counts | 100 | 7  | 100 | -1 | true
            """)
    void aProcessIsItsPidAndStartTime(
            String name,
            long pid,
            long startTime,
            long otherPid,
            long otherStartTime,
            boolean same) {
        assertThat(new ProcessId(pid, startTime).sameAs(new ProcessId(otherPid, otherStartTime)))
                .as(name)
                .isEqualTo(same);
    }

    private static final long GRACE = 60_000;
    private static final long T0 = 1_000_000;
    private static final LongPredicate JDK_NONE = OwnershipTest::jdkWaitsForNone;

    @Test
    void anOrphanOnTheLeadersListIsReapedAtOnce() {
        Decision d = decide(List.of(leader(100)), true, JDK_NONE, Map.of(), Map.of(), T0);

        assertThat(d.orphans()).containsExactly(leader(100));
        assertThat(d.expired()).isEmpty();
        assertThat(d.sightings()).isEmpty();
        assertThat(d.graceUntil()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aChildTheJdkWaitsForIsNeverReapedAndIsLookedAtAgainSoon() {
        Decision d =
                decide(
                        List.of(leader(100), thread(101, 7)),
                        true,
                        Set.of(100L, 101L)::contains,
                        Map.of(),
                        Map.of(),
                        T0);

        assertThat(d.reapsAny()).isFalse();
        assertThat(d.jdkPending()).isTrue();
        assertThat(d.sightings()).isEmpty();
    }

    @Test
    void theJdksRegistrationWindowGetsTheGraceNotTheReaper() {
        // a JDK child that exited before the JDK put it in its table: on its (live) thread's list
        Decision before = decide(List.of(thread(100, 7)), true, JDK_NONE, Map.of(), Map.of(), T0);
        assertThat(before.reapsAny()).isFalse();
        assertThat(before.sightings()).containsOnlyKeys(new ProcessId(100, 7));

        Decision registered =
                decide(
                        List.of(thread(100, 7)),
                        true,
                        Set.of(100L)::contains,
                        Map.of(),
                        before.sightings(),
                        T0 + 1);
        assertThat(registered.reapsAny()).isFalse();
        assertThat(registered.jdkPending()).isTrue();
    }

    @Test
    void aChildOfAThreadThatEndedWaitsOutItsGraceOnTheLeadersList() {
        Map<Long, Long> owned = Map.of(100L, 7L);
        Decision first = decide(List.of(leader(100, 7)), false, JDK_NONE, owned, Map.of(), T0);
        assertThat(first.reapsAny()).isFalse();
        assertThat(first.graceUntil()).isEqualTo(T0 + GRACE);

        Decision almost =
                decide(
                        List.of(leader(100, 7)),
                        false,
                        JDK_NONE,
                        owned,
                        first.sightings(),
                        T0 + GRACE - 1);
        assertThat(almost.reapsAny()).isFalse();

        Decision over =
                decide(
                        List.of(leader(100, 7)),
                        false,
                        JDK_NONE,
                        owned,
                        almost.sightings(),
                        T0 + GRACE);
        assertThat(over.expired()).containsExactly(leader(100, 7));
        assertThat(over.sightings()).isEmpty();
    }

    @Test
    void anOwnedPidReusedByAnOrphanIsTheOrphans() {
        Decision d =
                decide(List.of(leader(100, 9)), false, JDK_NONE, Map.of(100L, 7L), Map.of(), T0);

        assertThat(d.orphans()).containsExactly(leader(100, 9));
    }

    @Test
    void anOwnedPidWhoseStartTimeWasNotReadIsTakenForTheJvmsOwn() {
        Decision d = decide(List.of(leader(100)), false, JDK_NONE, Map.of(100L, 7L), Map.of(), T0);

        assertThat(d.orphans()).isEmpty();
        assertThat(d.sightings()).containsOnlyKeys(new ProcessId(100, UNKNOWN));
    }

    @Test
    void aReusedPidStartsItsGraceAfresh() {
        Map<ProcessId, Sighting> seen = Map.of(new ProcessId(100, 7), new Sighting(T0, false));
        Decision d = decide(List.of(thread(100, 8)), true, JDK_NONE, Map.of(), seen, T0 + GRACE);

        assertThat(d.reapsAny()).isFalse();
        assertThat(d.sightings())
                .containsOnly(Map.entry(new ProcessId(100, 8), new Sighting(T0 + GRACE, false)));
    }

    @Test
    void aThreadThatEndsBetweenTwoLooksDoesNotRestartItsChildsGrace() {
        // first seen on its thread's list; the thread ends, and the kernel moves the zombie to the
        // leader's
        Decision onThread = decide(List.of(thread(100, 7)), true, JDK_NONE, Map.of(), Map.of(), T0);
        Decision onLeader =
                decide(
                        List.of(leader(100, 7)),
                        false,
                        JDK_NONE,
                        Map.of(100L, 7L),
                        onThread.sightings(),
                        T0 + GRACE);

        assertThat(onLeader.expired()).containsExactly(leader(100, 7));
    }

    @Test
    void aChildOfALiveThreadIsNeverAnOrphan() {
        Decision d = decide(List.of(thread(100, 7)), true, JDK_NONE, Map.of(), Map.of(), T0);

        assertThat(d.orphans()).isEmpty();
        assertThat(d.graceUntil()).isEqualTo(T0 + GRACE);
    }

    @Test
    void whenTheLeaderRunsJavaItsListGetsTheGraceToo() {
        Decision d =
                Ownership.decide(
                        List.of(leader(100, 7)),
                        true,
                        JDK_NONE,
                        owned(Map.of()),
                        Map.of(),
                        T0,
                        GRACE,
                        false);

        assertThat(d.orphans()).isEmpty();
        assertThat(d.sightings()).containsOnlyKeys(new ProcessId(100, 7));
    }

    @Test
    void aLookAtTheLeaderAloneKeepsTheOtherThreadsSightings() {
        Map<ProcessId, Sighting> seen =
                Map.of(
                        new ProcessId(200, 7),
                        new Sighting(T0, false),
                        new ProcessId(300, 7),
                        new Sighting(T0, true));
        Decision partial = decide(List.of(leader(100)), false, JDK_NONE, Map.of(), seen, T0 + 5);

        assertThat(partial.orphans()).containsExactly(leader(100));
        assertThat(partial.sightings())
                .as("the leader's zombie 300 is gone: reaped by its starter")
                .containsOnlyKeys(new ProcessId(200, 7));
        assertThat(partial.graceUntil()).isEqualTo(T0 + GRACE);

        Decision full = decide(List.of(), true, JDK_NONE, Map.of(), partial.sightings(), T0 + 10);
        assertThat(full.sightings()).as("a full look saw no zombie 200: gone").isEmpty();
    }

    @Test
    void theFirstGraceToEndIsWhenTheReaperLooksNext() {
        Map<ProcessId, Sighting> seen =
                Map.of(new ProcessId(200, 7), new Sighting(T0 - 500, false));
        Decision d =
                decide(List.of(thread(200, 7), thread(300, 7)), true, JDK_NONE, Map.of(), seen, T0);

        assertThat(d.graceUntil()).isEqualTo(T0 - 500 + GRACE);
    }

    private static Decision decide(
            List<Zombie> zombies,
            boolean full,
            LongPredicate jdk,
            Map<Long, Long> owned,
            Map<ProcessId, Sighting> seen,
            long now) {
        return Ownership.decide(zombies, full, jdk, owned(owned), seen, now, GRACE, true);
    }

    /**
     * The owned set's rule, over a map of pid to start time: the same pid, and the same start time
     * where it is known.
     */
    /** The JDK's table when the JDK has started no child. */
    private static boolean jdkWaitsForNone(long pid) {
        return false;
    }

    private static Predicate<ProcessId> owned(Map<Long, Long> owned) {
        return id ->
                owned.containsKey(id.pid())
                        && new ProcessId(id.pid(), owned.get(id.pid())).sameAs(id);
    }

    private static Zombie leader(long pid) {
        return new Zombie(new ProcessId(pid, UNKNOWN), true);
    }

    private static Zombie leader(long pid, long startTime) {
        return new Zombie(new ProcessId(pid, startTime), true);
    }

    private static Zombie thread(long pid, long startTime) {
        return new Zombie(new ProcessId(pid, startTime), false);
    }
}
