package dev.reaper.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The snippets in README.md and in the manual's pages (src/docs/*.md; today those of "In a fleet",
 * src/docs/fleet.md) are copies of tested files: each code block after a {@code <!-- file: PATH
 * -->} line equals that file, each after {@code <!-- part of: PATH -->} equals a run of its lines
 * (indentation aside). PATH is from the repository's root, whichever page holds it. And the links
 * between those pages lead somewhere.
 */
class ReadmeSnippetsIT {
    private static final Path ROOT = PrometheusIT.SRC.getParent();
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern SNIPPET =
            Pattern.compile("<!-- (file|part of): (\\S+) -->\n```\\w*\n(.*?)```", Pattern.DOTALL);

    @Test
    void eachSnippetIsACopyOfItsFile() throws Exception {
        List<String> copied = new ArrayList<>();
        for (Path page : pages()) {
            Matcher m = SNIPPET.matcher(Files.readString(page));
            while (m.find()) {
                String file = Files.readString(ROOT.resolve(m.group(2)));
                if (m.group(1).equals("file")) {
                    assertThat(m.group(3))
                            .as("%s's copy of %s", ROOT.relativize(page), m.group(2))
                            .isEqualTo(file);
                } else {
                    assertThat(isRunOfLines(m.group(3), file))
                            .as(
                                    "%s's snippet is a part of %s:%n%s",
                                    ROOT.relativize(page), m.group(2), m.group(3))
                            .isTrue();
                }
                copied.add(m.group(2));
            }
        }
        assertThat(copied)
                .containsExactlyInAnyOrder(
                        "src/observability/jmx-exporter.yaml",
                        "src/observability/otel-jmx.yaml",
                        "src/deploy/image/pom.xml",
                        "src/deploy/image/Dockerfile",
                        "src/deploy/kubernetes/deployment.yaml",
                        "src/deploy/kubernetes/shared-process-namespace.yaml",
                        "test-kit/src/test/java/dev/reaper/kit/example/CommandTimeoutTest.java");
    }

    /**
     * Every relative link of README.md and of the manual's pages reaches a file, and its #anchor a
     * heading there.
     */
    @Test
    void eachLinkReachesItsPage() throws Exception {
        List<String> links = new ArrayList<>();
        for (Path page : pages()) {
            Matcher m = LINK.matcher(Files.readString(page));
            while (m.find()) {
                if (m.group(1).matches("[a-z]+:.*")) {
                    continue; // http:, https:, mailto:
                }
                String[] pathAndAnchor = m.group(1).split("#", 2);
                Path target =
                        pathAndAnchor[0].isEmpty()
                                ? page
                                : page.getParent().resolve(pathAndAnchor[0]).normalize();
                assertThat(target).as("%s links to %s", ROOT.relativize(page), m.group(1)).exists();
                if (pathAndAnchor.length == 2) {
                    assertThat(anchors(target))
                            .as("%s links to %s", ROOT.relativize(page), m.group(1))
                            .contains(pathAndAnchor[1]);
                }
                links.add(m.group(1));
            }
        }
        assertThat(links)
                .as("the README links to the manual")
                .contains("src/docs/reaping.md", "src/docs/numbers.md");
    }

    /**
     * The anchors GitHub makes of a page's headings: lower case, punctuation dropped, spaces as
     * hyphens.
     */
    private static List<String> anchors(Path page) throws IOException {
        return Files.readAllLines(page).stream()
                .filter(l -> l.matches("#+ .*"))
                .map(
                        l ->
                                l.replaceFirst("#+ ", "")
                                        .toLowerCase(Locale.ROOT)
                                        .replaceAll("[^a-z0-9 _-]", "")
                                        .replace(' ', '-'))
                .toList();
    }

    /** README.md and every page of the manual under src/docs. */
    private static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("src/docs"))) {
            docs.filter(p -> p.getFileName().toString().endsWith(".md"))
                    .sorted()
                    .forEach(pages::add);
        }
        assertThat(pages).as("README.md and the pages under src/docs").hasSizeGreaterThan(1);
        return pages;
    }

    /**
     * Whether the lines of {@code snippet} are consecutive lines of {@code file}, shifted left by
     * one indentation.
     */
    static boolean isRunOfLines(String snippet, String file) {
        List<String> part = Arrays.asList(snippet.split("\n"));
        List<String> lines = Arrays.asList(file.split("\n"));
        for (int i = 0; i + part.size() <= lines.size(); i++) {
            String first = lines.get(i);
            int indent = first.length() - first.stripLeading().length();
            boolean same = true;
            for (int j = 0; j < part.size() && same; j++) {
                String line = lines.get(i + j);
                same =
                        line.length() >= indent
                                && line.substring(0, indent).isBlank()
                                && line.substring(indent).equals(part.get(j));
            }
            if (same) {
                return true;
            }
        }
        return false;
    }
}
