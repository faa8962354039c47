package dev.reaper.cli;

import dev.reaper.report.Version;
import java.io.PrintStream;

/** The command line tool: {@code java -jar reaper.jar COMMAND}. */
public final class Cli {
    static final int OK = 0;
    static final int USAGE = 2;

    private static final String HELP = """
            Usage: java -jar reaper.jar COMMAND

            reaper makes a JVM a good PID 1: it reaps the zombies the JVM adopts and never the
            JVM's own children. Load it as an agent:

              java -javaagent:/path/reaper.jar[=OPTIONS] ...
              JAVA_TOOL_OPTIONS=-javaagent:/path/reaper.jar     (or REAPER_OPTIONS=OPTIONS)

            OPTIONS are key=value pairs separated by commas:
              subreaper=true|false   register as child subreaper unless PID 1 (default true)
              log=off|warn|info|debug  what the agent logs through System.Logger (default warn);
                                     info logs each reaped zombie
              sweep=DURATION         period of the safety sweep that catches lost SIGCHLDs (default 5s)
              grace=DURATION         how long a zombie started by native code may wait for its
                                     own parent thread before it is reaped (default 60s)
              strict=true|false      refuse to start the JVM when reaping cannot work (default false)
            DURATION is a whole number with a unit: ms, s, m or h (500ms, 2s, 1m).

            Commands:
              --version   print the version
              --help      print this text
            """;

    private Cli() {}

    public static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("version"))) {
            out.println("reaper " + version());
            return OK;
        }
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            (args.length == 0 ? err : out).print(HELP);
            return args.length == 0 ? USAGE : OK;
        }
        err.println("reaper: unknown command '" + String.join(" ", args) + "'; accepted: --version, --help");
        return USAGE;
    }

    static String version() {
        return Version.get();
    }
}
