package dev.reaper.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** The manifest's entry class must load on Java 8 and say why it does nothing there. */
public class EntryTest {
    /**
     * Class-file version 52 is Java 8; 61 is Java 17, which an older JVM refuses with
     * UnsupportedClassVersionError.
     */
    static final int JAVA_8 = 52;

    @Test
    void itIsCompiledForJava8AndNamesOnlyJavaClasses() throws Exception {
        byte[] bytes;
        try (InputStream in = Entry.class.getResourceAsStream("Entry.class")) {
            bytes = in.readAllBytes();
        }
        assertJava8(ClassFile.parse(bytes));
    }

    /** Shared with the check of the class inside reaper.jar (EntryJarIT). */
    public static void assertJava8(ClassFile entry) {
        assertThat(entry.major()).as("class-file major version").isEqualTo(JAVA_8);
        // ReaperAgent (compiled for 17) only as the class of the calls made after the version
        // check: a JVM resolves a call's class when the call first runs (JVMS 5.4), and the
        // verifier does not load it
        assertThat(entry.classes())
                .as("classes it names: none compiled for 17 but the one it calls after the check")
                .allSatisfy(
                        name ->
                                assertThat(name.replaceFirst("^\\[+L", ""))
                                        .matches(
                                                "java/.*|dev/reaper/boot/Entry|dev/reaper/boot/ReaperAgent"));
    }

    @Test
    void anOlderJavaGetsOneLineSayingWhy() {
        assertThat(Entry.tooOld("1.8")).isEqualTo("reaper needs Java 17 or later; this is Java 8");
        assertThat(Entry.tooOld("11")).isEqualTo("reaper needs Java 17 or later; this is Java 11");
        assertThat(Entry.tooOld("16")).isEqualTo("reaper needs Java 17 or later; this is Java 16");
        assertThat(Entry.tooOld("1.7")).isEqualTo("reaper needs Java 17 or later; this is Java 7");
    }

    @Test
    void java17AndLaterPass() {
        assertThat(Entry.tooOld("17")).isNull();
        assertThat(Entry.tooOld("21")).isNull();
        assertThat(Entry.tooOld("25")).isNull();
        assertThat(Entry.tooOld("17.0.1")).isNull();
        assertThat(Entry.tooOld(System.getProperty("java.specification.version"))).isNull();
    }

    @Test
    void anUnreadableVersionLetsTheAgentTry() {
        assertThat(Entry.tooOld(null)).isNull();
        assertThat(Entry.tooOld("")).isNull();
        assertThat(Entry.tooOld("x")).isNull();
        assertThat(Entry.tooOld("99999999999999")).isNull();
    }
}
