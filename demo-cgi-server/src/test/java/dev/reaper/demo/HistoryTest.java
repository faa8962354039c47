package dev.reaper.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HistoryTest {
    @Test
    void oldestFirstAndOnlyTheLastOnes() {
        History history = new History(3);
        assertThat(history.toArray()).isEmpty();

        history.add(1);
        history.add(2);
        assertThat(history.toArray()).containsExactly(1, 2);

        history.add(3);
        history.add(4);
        history.add(5);
        assertThat(history.toArray()).containsExactly(3, 4, 5);
    }
}
