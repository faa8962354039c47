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

/**
 * The README's run command: java -cp demo-cgi-server.jar dev.reaper.demo.RegressionDemo N, and its
 * two tables.
 */
@ExtendWith(Jvm.Cleanup.class)
class RegressionDemoIT {
    @Test
    void theDemoPrintsTheTablesOfAllSixRuns() throws Exception {
        Tools.requirePidNamespaces();
        Tools.requireRunc();
        String noCgroup = PidsCgroup.whyNot();
        Tools.require(noCgroup == null, "no pids cgroup can be made here: " + noCgroup);

        Result result =
                Jvm.on(Jdk.JDK17)
                        .classPath(DemoServer.JAR.toString())
                        .run(
                                RegressionDemo.class,
                                Duration.ofMinutes(4),
                                "3",
                                "--bundle",
                                Container.BUNDLE.toString());

        assertThat(result.status()).as("%s", result).isZero();
        assertThat(result.stdout())
                .containsPattern("pid namespace +off +3 of 3 +[0-9]+ +- +143 after \\d+ ms +0 of 3")
                .containsPattern("pid namespace +on +3 of 3 +0 +[0-9]+ +143 after \\d+ ms +3 of 3")
                .containsPattern(
                        "runc container +off +3 of 3 +[0-9]+ +- +143 after \\d+ ms +0 of 3")
                .containsPattern("runc container +on +3 of 3 +0 +[0-9]+ +143 after \\d+ ms +3 of 3")
                .contains("With it: no zombie left")
                // under pids.max 100: without the reaper a request fails, the kernel refused forks,
                // and the server said EAGAIN
                .containsPattern(
                        "(?m)^off +\\d+ of 100 +request \\d+, \\S+: [^ ]+( answer)? +(\\d+ of 100|-) +[1-9]\\d* +.*(error=11|EAGAIN)")
                .containsPattern("(?m)^on +100 of 100 +- +(\\d+ of 100|-) +0 +-$")
                .contains("With it, every request is answered.");
    }
}
