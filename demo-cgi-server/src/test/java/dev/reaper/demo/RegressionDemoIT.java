package dev.reaper.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Container;
import dev.reaper.it.Jvm;
import dev.reaper.it.Jvm.Jdk;
import dev.reaper.it.Jvm.Result;
import dev.reaper.it.Tools;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The README's run command: java -cp demo-cgi-server.jar dev.reaper.demo.RegressionDemo N, and its table. */
@ExtendWith(Jvm.Cleanup.class)
class RegressionDemoIT {
    @Test
    void theDemoPrintsTheTableOfAllFourRuns() throws Exception {
        Tools.requirePidNamespaces();
        Tools.requireRunc();

        Result result = Jvm.on(Jdk.JDK17).classPath(DemoServer.JAR.toString())
                .run(RegressionDemo.class, Duration.ofSeconds(120), "3", "--bundle", Container.BUNDLE.toString());

        assertThat(result.status()).as("%s", result).isZero();
        assertThat(result.stdout()).containsPattern("pid namespace +off +3 of 3 +[0-9]+ +- +143 after \\d+ ms +0 of 3")
                .containsPattern("pid namespace +on +3 of 3 +0 +[0-9]+ +143 after \\d+ ms +3 of 3")
                .containsPattern("runc container +off +3 of 3 +[0-9]+ +- +143 after \\d+ ms +0 of 3")
                .containsPattern("runc container +on +3 of 3 +0 +[0-9]+ +143 after \\d+ ms +3 of 3")
                .contains("With it: no zombie left");
    }
}
