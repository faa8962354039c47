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
 * ends once the MBean is registered. jmx=true creates the server at once; jmx=false never registers.
 */
public final class JmxExport implements Runnable {
    private final ReaperBean bean;
    private final Field platformServer;

    private JmxExport(ReaperBean bean, Field platformServer) {
        this.bean = bean;
        this.platformServer = platformServer;
    }

    /** Needs java.lang.management opened to this module, for jmx=auto (see Startup). */
    public static void start(Options.Jmx mode, Figures figures, IntSupplier adopted) {
        if (mode == Options.Jmx.FALSE || ModuleLayer.boot().findModule("java.management").isEmpty()) {
            return;
        }
        ReaperBean bean = new ReaperBean(figures, adopted);
        if (mode == Options.Jmx.TRUE) {
            register(bean);
            return;
        }
        try {
            Field field = ManagementFactory.class.getDeclaredField("platformMBeanServer");
            field.setAccessible(true);
            JmxExport export = new JmxExport(bean, field);
            if (!export.registerIfServerExists()) {
                Thread watcher = new Thread(export, "reaper-jmx");
                watcher.setDaemon(true);
                watcher.start();
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            Log.debug("cannot watch for the platform MBean server (" + e + "); jmx=true registers the MBean at once");
        }
    }

    @Override
    public void run() {
        long started = System.nanoTime();
        while (!registerIfServerExists()) {
            boolean starting = System.nanoTime() - started < TimeUnit.SECONDS.toNanos(10); // when applications make their JMX server
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(starting ? 1 : 5));
        }
    }

    private boolean registerIfServerExists() {
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
            ManagementFactory.getPlatformMBeanServer().registerMBean(bean, new ObjectName(ReaperMXBean.OBJECT_NAME));
            Log.debug("MBean " + ReaperMXBean.OBJECT_NAME + " registered");
        } catch (Exception | LinkageError e) {
            Log.warn("cannot register the MBean " + ReaperMXBean.OBJECT_NAME + " (" + e + ")");
        }
    }
}
