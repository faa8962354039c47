package dev.reaper.reap;

import static dev.reaper.reap.Ownership.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.reap.Ownership.Decision;
import dev.reaper.reap.Ownership.Key;
import dev.reaper.reap.Ownership.Sighting;
import dev.reaper.reap.Ownership.Zombie;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;

/** Every rule and race of src/docs/reaping.md ("What is reaped"), as inputs to the one decision. */
class OwnershipTest {
    private static final long GRACE = 60_000;
    private static final long T0 = 1_000_000;
    private static final LongPredicate JDK_NONE = pid -> false;

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
        Decision d = decide(List.of(leader(100), thread(101, 7)), true, Set.of(100L, 101L)::contains, Map.of(), Map.of(), T0);

        assertThat(d.reapsAny()).isFalse();
        assertThat(d.jdkPending()).isTrue();
        assertThat(d.sightings()).isEmpty();
    }

    @Test
    void theJdksRegistrationWindowGetsTheGraceNotTheReaper() {
        // a JDK child that exited before the JDK put it in its table: on its (live) thread's list
        Decision before = decide(List.of(thread(100, 7)), true, JDK_NONE, Map.of(), Map.of(), T0);
        assertThat(before.reapsAny()).isFalse();
        assertThat(before.sightings()).containsOnlyKeys(new Key(100, 7));

        Decision registered = decide(List.of(thread(100, 7)), true, Set.of(100L)::contains, Map.of(), before.sightings(), T0 + 1);
        assertThat(registered.reapsAny()).isFalse();
        assertThat(registered.jdkPending()).isTrue();
    }

    @Test
    void aChildOfAThreadThatEndedWaitsOutItsGraceOnTheLeadersList() {
        Map<Long, Long> owned = Map.of(100L, 7L);
        Decision first = decide(List.of(leader(100, 7)), false, JDK_NONE, owned, Map.of(), T0);
        assertThat(first.reapsAny()).isFalse();
        assertThat(first.graceUntil()).isEqualTo(T0 + GRACE);

        Decision almost = decide(List.of(leader(100, 7)), false, JDK_NONE, owned, first.sightings(), T0 + GRACE - 1);
        assertThat(almost.reapsAny()).isFalse();

        Decision over = decide(List.of(leader(100, 7)), false, JDK_NONE, owned, almost.sightings(), T0 + GRACE);
        assertThat(over.expired()).containsExactly(leader(100, 7));
        assertThat(over.sightings()).isEmpty();
    }

    @Test
    void anOwnedPidReusedByAnOrphanIsTheOrphans() {
        Decision d = decide(List.of(leader(100, 9)), false, JDK_NONE, Map.of(100L, 7L), Map.of(), T0);

        assertThat(d.orphans()).containsExactly(leader(100, 9));
    }

    @Test
    void anOwnedPidWhoseStartTimeWasNotReadIsTakenForTheJvmsOwn() {
        Decision d = decide(List.of(leader(100)), false, JDK_NONE, Map.of(100L, 7L), Map.of(), T0);

        assertThat(d.orphans()).isEmpty();
        assertThat(d.sightings()).containsOnlyKeys(new Key(100, UNKNOWN));
    }

    @Test
    void aReusedPidStartsItsGraceAfresh() {
        Map<Key, Sighting> seen = Map.of(new Key(100, 7), new Sighting(T0, false));
        Decision d = decide(List.of(thread(100, 8)), true, JDK_NONE, Map.of(), seen, T0 + GRACE);

        assertThat(d.reapsAny()).isFalse();
        assertThat(d.sightings()).containsOnly(Map.entry(new Key(100, 8), new Sighting(T0 + GRACE, false)));
    }

    @Test
    void aThreadThatEndsBetweenTwoLooksDoesNotRestartItsChildsGrace() {
        // first seen on its thread's list; the thread ends, and the kernel moves the zombie to the leader's
        Decision onThread = decide(List.of(thread(100, 7)), true, JDK_NONE, Map.of(), Map.of(), T0);
        Decision onLeader = decide(List.of(leader(100, 7)), false, JDK_NONE, Map.of(100L, 7L), onThread.sightings(), T0 + GRACE);

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
        Decision d = Ownership.decide(List.of(leader(100, 7)), true, JDK_NONE, Map.of(), Map.of(), T0, GRACE, false);

        assertThat(d.orphans()).isEmpty();
        assertThat(d.sightings()).containsOnlyKeys(new Key(100, 7));
    }

    @Test
    void aLookAtTheLeaderAloneKeepsTheOtherThreadsSightings() {
        Map<Key, Sighting> seen = Map.of(new Key(200, 7), new Sighting(T0, false), new Key(300, 7), new Sighting(T0, true));
        Decision partial = decide(List.of(leader(100)), false, JDK_NONE, Map.of(), seen, T0 + 5);

        assertThat(partial.orphans()).containsExactly(leader(100));
        assertThat(partial.sightings()).as("the leader's zombie 300 is gone: reaped by its starter").containsOnlyKeys(new Key(200, 7));
        assertThat(partial.graceUntil()).isEqualTo(T0 + GRACE);

        Decision full = decide(List.of(), true, JDK_NONE, Map.of(), partial.sightings(), T0 + 10);
        assertThat(full.sightings()).as("a full look saw no zombie 200: gone").isEmpty();
    }

    @Test
    void theFirstGraceToEndIsWhenTheReaperLooksNext() {
        Map<Key, Sighting> seen = Map.of(new Key(200, 7), new Sighting(T0 - 500, false));
        Decision d = decide(List.of(thread(200, 7), thread(300, 7)), true, JDK_NONE, Map.of(), seen, T0);

        assertThat(d.graceUntil()).isEqualTo(T0 - 500 + GRACE);
    }

    private static Decision decide(List<Zombie> zombies, boolean full, LongPredicate jdk, Map<Long, Long> owned, Map<Key, Sighting> seen, long now) {
        return Ownership.decide(zombies, full, jdk, owned, seen, now, GRACE, true);
    }

    private static Zombie leader(long pid) {
        return new Zombie(pid, UNKNOWN, true);
    }

    private static Zombie leader(long pid, long startTime) {
        return new Zombie(pid, startTime, true);
    }

    private static Zombie thread(long pid, long startTime) {
        return new Zombie(pid, startTime, false);
    }
}
