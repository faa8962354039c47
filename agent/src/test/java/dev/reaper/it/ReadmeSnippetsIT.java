package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's snippets in "In a fleet" are copies of tested files: each code block after a
 * {@code <!-- file: PATH -->} line equals that file, each after {@code <!-- part of: PATH -->} equals
 * a run of its lines (indentation aside).
 */
class ReadmeSnippetsIT {
    private static final Path ROOT = PrometheusIT.SRC.getParent();
    private static final Pattern SNIPPET = Pattern.compile("<!-- (file|part of): (\\S+) -->\n```\\w*\n(.*?)```", Pattern.DOTALL);

    @Test
    void eachSnippetIsACopyOfItsFile() throws Exception {
        Matcher m = SNIPPET.matcher(Files.readString(ROOT.resolve("README.md")));
        List<String> copied = new ArrayList<>();
        while (m.find()) {
            String file = Files.readString(ROOT.resolve(m.group(2)));
            if (m.group(1).equals("file")) {
                assertThat(m.group(3)).as("the README's copy of %s", m.group(2)).isEqualTo(file);
            } else {
                assertThat(isRunOfLines(m.group(3), file)).as("the README's snippet is a part of %s:%n%s", m.group(2), m.group(3)).isTrue();
            }
            copied.add(m.group(2));
        }
        assertThat(copied).containsExactlyInAnyOrder("src/observability/jmx-exporter.yaml", "src/observability/otel-jmx.yaml",
                "src/deploy/image/pom.xml", "src/deploy/image/Dockerfile", "src/deploy/kubernetes/deployment.yaml",
                "src/deploy/kubernetes/shared-process-namespace.yaml");
    }

    /** Whether the lines of {@code snippet} are consecutive lines of {@code file}, shifted left by one indentation. */
    static boolean isRunOfLines(String snippet, String file) {
        List<String> part = Arrays.asList(snippet.split("\n"));
        List<String> lines = Arrays.asList(file.split("\n"));
        for (int i = 0; i + part.size() <= lines.size(); i++) {
            String first = lines.get(i);
            int indent = first.length() - first.stripLeading().length();
            boolean same = true;
            for (int j = 0; j < part.size() && same; j++) {
                String line = lines.get(i + j);
                same = line.length() >= indent && line.substring(0, indent).isBlank() && line.substring(indent).equals(part.get(j));
            }
            if (same) {
                return true;
            }
        }
        return false;
    }
}
