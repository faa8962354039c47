package dev.reaper.report;

import java.util.function.IntSupplier;

/** The MXBean: the figures, and the adopted children counted when asked. */
final class ReaperBean implements ReaperMXBean {
    private final Figures figures;
    private final IntSupplier adopted;

    ReaperBean(Figures figures, IntSupplier adopted) {
        this.figures = figures;
        this.adopted = adopted;
    }

    @Override
    public long getZombiesReaped() {
        return figures.zombiesReaped();
    }

    @Override
    public int getChildrenAdopted() {
        return adopted.getAsInt();
    }

    @Override
    public long getLastReapTime() {
        return figures.lastReapMillis();
    }

    @Override
    public long getSignalsRelayed() {
        return figures.signalsRelayed();
    }

    @Override
    public long getProcessesSignalled() {
        return figures.processesSignalled();
    }

    @Override
    public long getProcessesKilled() {
        return figures.processesKilled();
    }

    @Override
    public String getRole() {
        return figures.role();
    }

    @Override
    public String getOptions() {
        return figures.options();
    }

    @Override
    public String getVersion() {
        return figures.version();
    }

    @Override
    public String getInfo() {
        return "version=" + figures.version() + ",role=" + figures.role();
    }

    @Override
    public long getStartTime() {
        return figures.startedMillis();
    }
}
