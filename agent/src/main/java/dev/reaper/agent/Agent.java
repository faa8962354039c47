package dev.reaper.agent;

import dev.reaper.log.Log;
import dev.reaper.options.Options;
import dev.reaper.report.AgentProperties;
import dev.reaper.spi.Core;
import dev.reaper.spi.Stop;
import java.lang.instrument.Instrumentation;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The agent's core, in its own class loader: what the boot side calls, through {@link Core}, once
 * per JVM. The start itself is {@link Startup}'s.
 */
public final class Agent implements Core {
    /** How long a stop waits for the start to have wired the agent (it takes milliseconds). */
    private static final long WIRING_WAIT_SECONDS = 10;

    private final CountDownLatch hookTried = new CountDownLatch(1);
    private final CountDownLatch wiring = new CountDownLatch(1);
    private volatile boolean afterShutdownHooks;
    private volatile Startup.Wired wired;
    private volatile boolean stopping;

    public Agent() {}

    @Override
    public void start(
            Options options,
            Instrumentation instrumentation,
            Launch launch,
            Runnable afterShutdownHooks,
            boolean signalHandlers) {
        try {
            new Startup(options, instrumentation, launch, signalHandlers)
                    .run(afterShutdownHooks, this);
        } catch (RuntimeException | LinkageError e) {
            String message = "could not start (" + e + "): nothing is reaped";
            if (options.strict() && launch.atStartup()) {
                Options.refuseToStart(message + " (strict=true)");
            }
            Log.warn(message);
            AgentProperties.state("failed: " + message);
        } finally {
            hookTried.countDown();
            wiring.countDown();
        }
    }

    @Override
    public boolean runsAfterShutdownHooks() throws InterruptedException {
        hookTried.await();
        return afterShutdownHooks;
    }

    /** The start has tried to register the hook after the shutdown hooks. */
    void afterShutdownHooks(boolean registered) {
        afterShutdownHooks = registered;
        hookTried.countDown();
    }

    /** The start has wired the agent: from now on a stop can be relayed. */
    void wired(Startup.Wired agent) {
        wired = agent;
        wiring.countDown();
        if (stopping) {
            agent.reaper().stopping();
        }
    }

    @Override
    public void relay(Stop stop) {
        try {
            wiring.await(WIRING_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Startup.Wired agent = wired;
        if (agent == null) {
            Log.warn(
                    "could not stop the JVM's descendants: the agent has not started (see the warning before)");
            return;
        }
        agent.relay().stop(stop);
    }

    @Override
    public void grace(Duration grace) {
        Startup.Wired agent = wired;
        if (agent != null) {
            agent.reaper().grace(grace);
            Log.info("grace is now " + grace.toMillis() + " ms");
        }
    }

    @Override
    public void stopping() {
        stopping = true;
        Startup.Wired agent = wired;
        if (agent != null) {
            agent.reaper().stopping();
        }
    }
}
