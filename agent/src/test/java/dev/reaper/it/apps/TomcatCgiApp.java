package dev.reaper.it.apps;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.servlets.CGIServlet;
import org.apache.catalina.startup.Tomcat;

/**
 * Apache Tomcat, embedded, serving bash CGI scripts through its own CGIServlet (which runs only in
 * a privileged context), as a real server nobody here wrote:
 *
 * <ul>
 *   <li>/cgi-bin/orphan.sh leaves an orphan: a subshell that outlives the script by 0.2 s, writes
 *       DIR/orphan-PID.done and exits, a zombie of PID 1 unless someone reaps it;
 *   <li>/cgi-bin/job.sh starts a background job in a session of its own, which writes its pid to
 *       DIR/job-ID.part and, on SIGTERM, cleans up with external commands (sleep 0.3, then mv to
 *       DIR/job-ID.cleaned).
 * </ul>
 *
 * Arguments: DIR [stop-hook]. It writes the port it listens on (loopback) to DIR/port. With
 * "stop-hook" a shutdown hook stops Tomcat, so that no thread of it is left in accept or
 * epoll_wait, which HotSpot waits up to 300 ms for at exit.
 */
public final class TomcatCgiApp {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path cgi = Files.createDirectories(dir.resolve("web/WEB-INF/cgi"));
        script(
                cgi.resolve("orphan.sh"),
                """
                ( sleep 0.2; touch "DIR/orphan-$BASHPID.done" ) >/dev/null 2>&1 &
                printf 'Content-Type: text/plain\\r\\n\\r\\norphan started\\n'
                """,
                dir);
        script(
                cgi.resolve("job.sh"),
                """
                setsid bash -c 'trap "sleep 0.3; mv \\"$0/$1.part\\" \\"$0/$1.cleaned\\"; exit 0" TERM
                  echo $$ > "$0/$1.part"
                  while :; do sleep 1000 & wait $!; done' DIR job-$$ >/dev/null 2>&1 </dev/null &
                printf 'Content-Type: text/plain\\r\\n\\r\\njob-%s started\\n' $$
                """,
                dir);

        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createDirectories(dir.resolve("tomcat")).toString());
        tomcat.setHostname("127.0.0.1");
        tomcat.setPort(0);
        tomcat.getConnector().setProperty("address", "127.0.0.1");
        Context context = tomcat.addContext("", dir.resolve("web").toString());
        context.setPrivileged(true);
        Wrapper servlet = Tomcat.addServlet(context, "cgi", new CGIServlet());
        servlet.addInitParameter("cgiPathPrefix", "WEB-INF/cgi");
        servlet.addInitParameter("executable", "bash");
        context.addServletMappingDecoded("/cgi-bin/*", "cgi");
        tomcat.start();
        if (args.length > 1 && args[1].equals("stop-hook")) {
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(
                                    () -> {
                                        try {
                                            tomcat.stop();
                                        } catch (Exception e) {
                                            throw new IllegalStateException(e);
                                        }
                                    },
                                    "stop tomcat"));
        }
        Files.writeString(dir.resolve("port"), "" + tomcat.getConnector().getLocalPort());
        tomcat.getServer().await();
    }

    private static void script(Path file, String text, Path dir) throws Exception {
        Files.writeString(file, "#!/bin/bash\n" + text.replace("DIR", dir.toString()));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
