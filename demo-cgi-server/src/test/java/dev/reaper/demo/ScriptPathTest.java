package dev.reaper.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ScriptPathTest {
    @Test
    void theNameThenThePathInfo() throws Exception {
        assertThat(ScriptPath.parse("/cgi-bin/env.sh")).isEqualTo(new ScriptPath("env.sh", null));
        assertThat(ScriptPath.parse("/cgi-bin/env.sh/")).isEqualTo(new ScriptPath("env.sh", "/"));
        assertThat(ScriptPath.parse("/cgi-bin/env.sh/a/b%20c+d"))
                .isEqualTo(new ScriptPath("env.sh", "/a/b c+d"));
        assertThat(ScriptPath.parse("/cgi-bin/h%C3%A9.sh"))
                .isEqualTo(new ScriptPath("hé.sh", null));
    }

    @Test
    void noWayOutOfTheScriptDirectory() {
        for (String path :
                new String[] {
                    "/cgi-bin/../etc/passwd",
                    "/cgi-bin/%2e%2e/x",
                    "/cgi-bin/.",
                    "/cgi-bin/a%2Fb",
                    "/cgi-bin/env.sh/../../x",
                    "/cgi-bin/a%00",
                    "/cgi-bin/bad%zz",
                    "/cgi-bin/cut%2"
                }) {
            assertThatThrownBy(() -> ScriptPath.parse(path))
                    .as(path)
                    .isInstanceOf(ScriptPath.Malformed.class);
        }
    }
}
