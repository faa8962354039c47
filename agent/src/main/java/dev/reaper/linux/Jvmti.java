package dev.reaper.linux;

import com.sun.jna.Callback;
import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.io.IOException;
import java.util.concurrent.locks.LockSupport;

/**
 * The one JVMTI event the agent asks for, through JNA: ThreadEnd, which HotSpot posts on each Java
 * thread as it ends, on that thread, after Thread.exit() and before the kernel hands the thread's
 * children to the leader thread (do_exit). No native code of the agent's own, and no -agentpath.
 *
 * <p>JVMTI is a table of function pointers; the slots below are those of jvmti.h and jni.h (stable
 * since JVMTI 1.0): {@code JavaVM->GetEnv} is slot 6 of JNIInvokeInterface_ counted from 0, {@code
 * SetEventNotificationMode} and {@code SetEventCallbacks} slots 2 and 122 of jvmtiInterface_1_
 * counted from 1.
 */
public final class Jvmti {
    private static final int JNI_OK = 0;
    private static final int JVMTI_VERSION_1_2 = 0x30010200;
    private static final int JVMTI_ENABLE = 1;
    private static final int JVMTI_EVENT_THREAD_END = 53;
    private static final int GET_ENV = 6;
    private static final int SET_EVENT_NOTIFICATION_MODE = 2;
    private static final int SET_EVENT_CALLBACKS = 122;
    private static final long CREATED_WAIT_MILLIS = 30_000;

    /** jvmtiEventCallbacks up to ThreadEnd, its fourth field; JVMTI zeroes the rest. */
    private static final int CALLBACKS_UP_TO_THREAD_END = 4;

    /**
     * jvmtiEventThreadEnd: (jvmtiEnv*, JNIEnv*, jthread), on the ending thread. The pointers come
     * as longs, so that JNA makes no Java object of them: see {@link #directStub}.
     */
    public interface ThreadEnd extends Callback {
        void ended(long jvmti, long jni, long thread);
    }

    /**
     * JNA frees a callback's native stub once its Java object is collected: this one lives as long
     * as the JVM.
     */
    private static ThreadEnd installed;

    static {
        Native.register(Jvmti.class, NativeLibrary.getProcess());
    }

    private Jvmti() {}

    /**
     * The address of the callback's direct stub, which JNA makes for a callback passed to a
     * direct-mapped call, and only then: memset(3) of no bytes returns its first argument and
     * writes nothing. A direct stub with arguments of primitive types calls the Java method with no
     * allocation of its own. The stub {@code CallbackReference.getFunctionPointer} makes first puts
     * the arguments in a new Object[]; on a thread that ends while the heap is exhausted, JNA 5.19
     * uses the null it gets back and the JVM dies of SIGSEGV (seen here, JDK 17 and 25).
     */
    private static native Pointer memset(ThreadEnd callback, int c, long n);

    private static Pointer directStub(ThreadEnd callback) {
        return memset(callback, 0, 0);
    }

    /** Has {@code listener} called on every Java thread as it ends. Once per JVM. */
    public static synchronized void onThreadEnd(ThreadEnd listener) throws IOException {
        if (installed != null) {
            throw new IllegalStateException("a ThreadEnd listener is installed already");
        }
        Pointer env = jvmtiEnv();
        Pointer functions = env.getPointer(0);
        Memory callbacks = new Memory((long) CALLBACKS_UP_TO_THREAD_END * Native.POINTER_SIZE);
        callbacks.clear();
        callbacks.setPointer(
                (long) (CALLBACKS_UP_TO_THREAD_END - 1) * Native.POINTER_SIZE,
                directStub(listener));
        installed = listener;
        check(
                "SetEventCallbacks",
                slot(functions, SET_EVENT_CALLBACKS - 1)
                        .invokeInt(new Object[] {env, callbacks, (int) callbacks.size()}));
        check(
                "SetEventNotificationMode(ThreadEnd)",
                slot(functions, SET_EVENT_NOTIFICATION_MODE - 1)
                        .invokeInt(new Object[] {env, JVMTI_ENABLE, JVMTI_EVENT_THREAD_END, null}));
    }

    /**
     * A new JVMTI environment of this JVM (JNI_GetCreatedJavaVMs, then GetEnv). The JVM counts as
     * created only once premain has returned: until then, this waits (at most {@value
     * #CREATED_WAIT_MILLIS} ms). So it must not be called from premain's own thread.
     */
    private static Pointer jvmtiEnv() throws IOException {
        PointerByReference vm = new PointerByReference();
        IntByReference count = new IntByReference();
        Function created = libjvm().getFunction("JNI_GetCreatedJavaVMs");
        long deadline = System.nanoTime() + CREATED_WAIT_MILLIS * 1_000_000L;
        int rc;
        while ((rc = created.invokeInt(new Object[] {vm, 1, count})) == JNI_OK
                && count.getValue() < 1
                && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(1_000_000);
        }
        if (rc != JNI_OK || count.getValue() < 1) {
            throw new IOException(
                    "JNI_GetCreatedJavaVMs returned " + rc + " and " + count.getValue() + " JVMs");
        }
        PointerByReference env = new PointerByReference();
        rc =
                slot(vm.getValue().getPointer(0), GET_ENV)
                        .invokeInt(new Object[] {vm.getValue(), env, JVMTI_VERSION_1_2});
        if (rc != JNI_OK) {
            throw new IOException("this JVM offers no JVMTI 1.2 (GetEnv returned " + rc + ")");
        }
        return env.getValue();
    }

    /**
     * libjvm: among the process's global symbols when the java launcher loaded it, else from
     * java.home.
     */
    private static NativeLibrary libjvm() {
        try {
            NativeLibrary process = NativeLibrary.getProcess();
            process.getFunction("JNI_GetCreatedJavaVMs");
            return process;
        } catch (UnsatisfiedLinkError notGlobal) {
            return NativeLibrary.getInstance(
                    System.getProperty("java.home") + "/lib/server/libjvm.so");
        }
    }

    private static Function slot(Pointer table, int index) {
        return Function.getFunction(table.getPointer((long) index * Native.POINTER_SIZE));
    }

    private static void check(String call, int jvmtiError) throws IOException {
        if (jvmtiError != 0) {
            throw new IOException(call + " failed: jvmtiError " + jvmtiError);
        }
    }
}
