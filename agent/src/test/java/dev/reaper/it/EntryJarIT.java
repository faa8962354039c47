package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.boot.ClassFile;
import dev.reaper.boot.EntryTest;
import java.io.InputStream;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * reaper.jar names the Java 8 entry class everywhere a JVM looks for one, at the jar's top, where
 * the application's loader finds it.
 */
class EntryJarIT {
    @Test
    void theManifestNamesTheJava8EntryClass() throws Exception {
        try (JarFile jar = new JarFile(Jvm.AGENT.toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertThat(main.getValue("Premain-Class")).isEqualTo("dev.reaper.boot.Entry");
            assertThat(main.getValue("Agent-Class")).isEqualTo("dev.reaper.boot.Entry");
            assertThat(main.getValue("Main-Class")).isEqualTo("dev.reaper.boot.Entry");
            try (InputStream in =
                    jar.getInputStream(jar.getJarEntry("dev/reaper/boot/Entry.class"))) {
                EntryTest.assertJava8(ClassFile.parse(in.readAllBytes()));
            }
        }
    }
}
