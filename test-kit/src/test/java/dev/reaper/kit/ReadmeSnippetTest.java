package dev.reaper.kit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The kit's README shows tested code: each code block after a {@code <!-- file: PATH -->} line is
 * that file (PATH from the repository's root).
 */
class ReadmeSnippetTest {
    private static final Pattern SNIPPET =
            Pattern.compile("<!-- file: (\\S+) -->\n```\\w*\n(.*?)```", Pattern.DOTALL);

    @Test
    void eachSnippetIsACopyOfItsFile() throws Exception {
        // the build runs the kit's tests in test-kit/
        Path root = Path.of("").toAbsolutePath().getParent();
        Matcher m = SNIPPET.matcher(Files.readString(root.resolve("test-kit/README.md")));
        List<String> copied = new ArrayList<>();
        while (m.find()) {
            assertThat(m.group(2))
                    .as("the README's copy of %s", m.group(1))
                    .isEqualTo(Files.readString(root.resolve(m.group(1))));
            copied.add(m.group(1));
        }
        assertThat(copied)
                .containsExactly(
                        "test-kit/src/test/java/dev/reaper/kit/example/CommandTimeoutTest.java");
    }
}
