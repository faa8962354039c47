package dev.reaper.demo;

import java.lang.management.ManagementFactory;
import java.util.List;
import javax.management.Attribute;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The reaper's figures, from its MBean {@code dev.reaper:type=Reaper}. The agent registers it about
 * a second after the platform MBean server exists (jmx=auto), which {@link #connect} makes sure of.
 * No MBean: the reaper is off (REAPER_OPTIONS=enabled=false), or not up yet.
 */
final class ReaperFigures {
    /** What the MBean says now; {@link #OFF} without one. */
    record Snapshot(boolean on, long zombiesReaped, String role) {
        static final Snapshot OFF = new Snapshot(false, 0, "");
    }

    private final MBeanServer server;
    private final ObjectName name;

    private ReaperFigures(MBeanServer server, ObjectName name) {
        this.server = server;
        this.name = name;
    }

    /**
     * Creates the platform MBean server, if nobody has yet: with jmx=auto, the agent waits for that
     * to register.
     */
    static ReaperFigures connect() {
        try {
            return new ReaperFigures(
                    ManagementFactory.getPlatformMBeanServer(),
                    new ObjectName("dev.reaper:type=Reaper"));
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }

    Snapshot read() {
        try {
            List<Attribute> values =
                    server.getAttributes(name, new String[] {"ZombiesReaped", "Role"}).asList();
            long reaped = 0;
            String role = "";
            for (Attribute value : values) {
                if (value.getName().equals("ZombiesReaped")) {
                    reaped = (Long) value.getValue();
                } else {
                    role = String.valueOf(value.getValue());
                }
            }
            return new Snapshot(true, reaped, role);
        } catch (InstanceNotFoundException off) {
            return Snapshot.OFF;
        } catch (JMException | RuntimeException e) {
            // the MBean went away meanwhile, or is not what this demo knows: as good as off
            return Snapshot.OFF;
        }
    }
}
