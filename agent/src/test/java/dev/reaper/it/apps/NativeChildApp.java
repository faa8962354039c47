package dev.reaper.it.apps;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import dev.reaper.kit.Await;
import dev.reaper.kit.ProcessTable;
import java.time.Duration;

/**
 * An application with its own JNA (a different version from the agent's) that starts children from
 * native code, as a native library would: one it waits for itself, late, and one it abandons.
 *
 * <p>Arguments: WAIT_MILLIS (how long it waits before waitpid), GIVE_UP_MILLIS (how long it watches
 * the abandoned child). Prints: app_jna (the JNA version it runs), app_jna_jar, waited_status,
 * abandoned_reaped_after_ms (-1 if still a zombie when it gave up), zombies_left.
 */
public final class NativeChildApp {
    public interface C extends Library {
        int posix_spawnp(
                IntByReference pid,
                String file,
                Pointer fileActions,
                Pointer attributes,
                String[] argv,
                String[] envp);

        int waitpid(int pid, IntByReference status, int options);
    }

    public static void main(String[] args) throws Exception {
        long waitMillis = Long.parseLong(args[0]);
        long giveUpMillis = Long.parseLong(args[1]);
        C c = Native.load("c", C.class);
        System.out.println("app_jna=" + Native.class.getPackage().getImplementationVersion());
        System.out.println(
                "app_jna_jar=" + Native.class.getProtectionDomain().getCodeSource().getLocation());

        int waited = spawn(c, "exit 7");
        int abandoned = spawn(c, "exit 9");
        long abandonedAt = System.currentTimeMillis();

        Thread.sleep(waitMillis);
        IntByReference status = new IntByReference();
        int rc = c.waitpid(waited, status, 0);
        System.out.println(
                "waited_status="
                        + (rc == waited
                                ? (status.getValue() >> 8) & 0xff
                                : -1000 - Native.getLastError()));

        Duration watch =
                Duration.ofMillis(
                        Math.max(0, giveUpMillis - (System.currentTimeMillis() - abandonedAt)));
        boolean reaped =
                Await.value(watch, () -> ProcessTable.stat(abandoned).isEmpty(), gone -> gone);
        System.out.println(
                "abandoned_reaped_after_ms="
                        + (reaped ? System.currentTimeMillis() - abandonedAt : -1));
        System.out.println("zombies_left=" + Zombies.childrenOf(ProcessHandle.current().pid()));
    }

    private static int spawn(C c, String script) {
        IntByReference pid = new IntByReference();
        int rc =
                c.posix_spawnp(
                        pid,
                        "sh",
                        null,
                        null,
                        new String[] {"sh", "-c", script, null},
                        new String[] {"PATH=/usr/bin:/bin", null});
        if (rc != 0) {
            throw new IllegalStateException("posix_spawnp: " + rc);
        }
        return pid.getValue();
    }
}
