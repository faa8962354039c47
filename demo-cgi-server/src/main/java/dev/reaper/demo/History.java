package dev.reaper.demo;

/** The last samples of the zombie count, oldest first, for the status page's chart. */
final class History {
    private final int[] samples;
    private int next;
    private int size;

    History(int capacity) {
        samples = new int[capacity];
    }

    synchronized void add(int sample) {
        samples[next] = sample;
        next = (next + 1) % samples.length;
        size = Math.min(size + 1, samples.length);
    }

    synchronized int[] toArray() {
        int[] ordered = new int[size];
        int oldest = (next - size + samples.length) % samples.length;
        for (int i = 0; i < size; i++) {
            ordered[i] = samples[(oldest + i) % samples.length];
        }
        return ordered;
    }
}
