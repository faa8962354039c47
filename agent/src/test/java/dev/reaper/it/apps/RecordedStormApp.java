package dev.reaper.it.apps;

import java.lang.management.ManagementFactory;
import javax.management.ObjectName;

/**
 * An orphan storm in a JVM recorded by JFR. Arguments: ORPHANS. Waits until no zombie is left, then
 * prints what the agent's MBean counted: mbean_zombies_reaped (needs the agent with jmx=true).
 */
public final class RecordedStormApp {
    public static void main(String[] args) throws Exception {
        int orphans = Integer.parseInt(args[0]);
        AttachTargetApp.leaveOrphans(orphans);
        int left = Zombies.awaitNone(ProcessHandle.current().pid(), 10_000);
        Object reaped =
                ManagementFactory.getPlatformMBeanServer()
                        .getAttribute(new ObjectName("dev.reaper:type=Reaper"), "ZombiesReaped");
        System.out.println("zombies_left=" + left);
        System.out.println("mbean_zombies_reaped=" + reaped);
    }
}
