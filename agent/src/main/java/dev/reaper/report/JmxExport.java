package dev.reaper.report;

import dev.reaper.log.Log;
import dev.reaper.options.Options;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import javax.management.ObjectName;

/**
 * Registers the MBean in the platform MBean server. Creating that server costs a JVM about 11 MiB,
 * so by default (jmx=auto) the agent waits until the application or a JMX tool (jconsole attaching)
 * has created it: it looks every second for ten seconds, then every five, on a daemon thread that
 * ends once the MBean is registered. jmx=true creates the server at once; jmx=false never
 * registers.
 */
public final class JmxExport implements Runnable {
    private final ReaperBean bean;

    private JmxExport(ReaperBean bean) {
        this.bean = bean;
    }

    /** Needs java.lang.management opened to this module, for jmx=auto (see Startup). */
    public static void start(Options.Jmx mode, Figures figures, IntSupplier adopted) {
        if (mode == Options.Jmx.FALSE
                || ModuleLayer.boot().findModule("java.management").isEmpty()) {
            return;
        }
        ReaperBean bean = new ReaperBean(figures, adopted);
        if (mode == Options.Jmx.TRUE) {
            register(bean);
            return;
        }
        // All of jmx=auto on its own thread, even the first look: loading the management classes to
        // look costs the agent's thread milliseconds before it is ready, for an MBean nobody may
        // read.
        Thread watcher = new Thread(new JmxExport(bean), "reaper-jmx");
        watcher.setDaemon(true);
        watcher.start();
    }

    @Override
    public void run() {
        Field platformServer;
        try {
            platformServer = ManagementFactory.class.getDeclaredField("platformMBeanServer");
            platformServer.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            Log.debug(
                    "cannot watch for the platform MBean server ("
                            + e
                            + "); jmx=true registers the MBean at once");
            return;
        }
        long started = System.nanoTime();
        while (!registerIfServerExists(platformServer)) {
            // when applications make their JMX server
            boolean starting = System.nanoTime() - started < TimeUnit.SECONDS.toNanos(10);
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(starting ? 1 : 5));
        }
    }

    private boolean registerIfServerExists(Field platformServer) {
        try {
            if (platformServer.get(null) == null) {
                return false;
            }
        } catch (IllegalAccessException e) {
            return true; // cannot tell: give up watching
        }
        register(bean);
        return true;
    }

    private static void register(ReaperBean bean) {
        try {
            ManagementFactory.getPlatformMBeanServer()
                    .registerMBean(bean, new ObjectName(ReaperMXBean.OBJECT_NAME));
            Log.debug("MBean " + ReaperMXBean.OBJECT_NAME + " registered");
        } catch (Exception | LinkageError e) {
            Log.warn("cannot register the MBean " + ReaperMXBean.OBJECT_NAME + " (" + e + ")");
        }
    }
}
