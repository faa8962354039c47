package dev.reaper.cli;

import dev.reaper.options.Options;
import dev.reaper.options.Options.Option;
import dev.reaper.options.OptionsException;
import dev.reaper.report.Version;
import java.io.IOException;
import java.io.PrintStream;

/**
 * The command line tool: {@code java -jar reaper.jar COMMAND}. Every failure is one line on stderr
 * and an exit status of its own.
 */
public final class Cli {
    static final int OK = 0;
    static final int USAGE = 2;

    private static final String HELP =
            """
            Usage: java -jar reaper.jar COMMAND

            reaper makes a JVM a good PID 1: it reaps the zombies the JVM adopts (never the JVM's
            own children), and relays shutdown signals to all the JVM's descendants. Load it as an agent:

              java -javaagent:/path/reaper.jar[=OPTIONS] ...
              JAVA_TOOL_OPTIONS=-javaagent:/path/reaper.jar     (and REAPER_OPTIONS=OPTIONS)

            OPTIONS are key=value pairs separated by commas (README: "Options"):
            """
                    + options()
                    + """
            DURATION is a whole number with a unit: ms, s, m or h (500ms, 8s, 1m).

            Commands:
              attach PID [OPTIONS]  load the agent into the running JVM PID
              status PID            the agent's figures in the JVM PID
              zombies [PID]         the zombies on this machine, or among the descendants of PID
              --version             the version
              --help                this text
            Exit statuses: 0 done, 2 bad usage, 3 no such process, 4 not a JVM, 5 another user's
            JVM, 6 attach disabled or refused, 7 no jdk.attach here, 8 the agent failed to start,
            9 the agent is not running there.
            """;

    private Cli() {}

    /**
     * The option table as help: KEY=FORM, then what it does and its default, wrapped at 100
     * columns.
     */
    static String options() {
        StringBuilder text = new StringBuilder();
        for (Option option : Option.values()) {
            String what =
                    option.help()
                            + (option.fallback() == null
                                    ? ""
                                    : " (default " + option.fallback() + ")");
            StringBuilder line =
                    new StringBuilder(String.format("  %-24s", option.key() + "=" + option.form()));
            for (String word : what.split(" ", -1)) {
                if (line.length() + 1 + word.length() > 100) {
                    text.append(line.toString().stripTrailing()).append('\n');
                    line = new StringBuilder(" ".repeat(26));
                }
                line.append(' ').append(word);
            }
            text.append(line).append('\n');
        }
        return text.toString();
    }

    /**
     * Called by dev.reaper.boot.ReaperMain with the path of the jar it runs from, which attach
     * loads into the target.
     */
    public static int run(String[] args, String agentJar) {
        return run(args, agentJar, System.out, System.err);
    }

    static int run(String[] args, String agentJar, PrintStream out, PrintStream err) {
        String command = args.length == 0 ? "--help" : args[0];
        try {
            switch (command) {
                case "--version", "version" -> {
                    if (!expect(args, 1, 1, err)) {
                        return USAGE;
                    }
                    out.println("reaper " + Version.get());
                    return OK;
                }
                case "--help", "-h", "help" -> {
                    (args.length == 0 ? err : out).print(HELP);
                    return args.length == 0 ? USAGE : OK;
                }
                case "attach" -> {
                    if (!expect(args, 2, 3, err) || !pid(args[1], err)) {
                        return USAGE;
                    }
                    if (!attachModule(err)) {
                        return Attach.NO_ATTACH_MODULE;
                    }
                    String options = args.length > 2 ? args[2] : null;
                    Options parsed;
                    try {
                        // checked here, so that a bad one never reaches the target
                        parsed = Options.parse(null, options);
                    } catch (OptionsException e) {
                        err.println("reaper: " + e.getMessage());
                        return USAGE;
                    }
                    return new Attach(out, err)
                            .attach(Long.parseLong(args[1]), options, parsed, agentJar);
                }
                case "status" -> {
                    if (!expect(args, 2, 2, err) || !pid(args[1], err)) {
                        return USAGE;
                    }
                    return attachModule(err)
                            ? new Attach(out, err).status(Long.parseLong(args[1]))
                            : Attach.NO_ATTACH_MODULE;
                }
                case "zombies" -> {
                    if (!expect(args, 1, 2, err) || (args.length == 2 && !pid(args[1], err))) {
                        return USAGE;
                    }
                    Long root = args.length == 2 ? Long.valueOf(args[1]) : null;
                    return new ZombieList(out).print(root);
                }
                default -> {
                    err.println(
                            "reaper: unknown command '"
                                    + command
                                    + "'; accepted: attach, status, zombies, --version, --help");
                    return USAGE;
                }
            }
        } catch (IOException e) {
            err.println("reaper: " + e.getMessage());
            return Attach.AGENT_FAILED;
        }
    }

    /** Attach's classes name jdk.attach's: check the module is there before touching them. */
    private static boolean attachModule(PrintStream err) {
        if (ModuleLayer.boot().findModule("jdk.attach").isPresent()) {
            return true;
        }
        err.println(
                "reaper: this Java runtime has no module jdk.attach (a JRE, or a jlinked image): run reaper.jar with a full JDK");
        return false;
    }

    private static boolean expect(String[] args, int min, int max, PrintStream err) {
        if (args.length >= min && args.length <= max) {
            return true;
        }
        err.println(
                "reaper: wrong number of arguments for "
                        + args[0]
                        + "; see java -jar reaper.jar --help");
        return false;
    }

    private static boolean pid(String text, PrintStream err) {
        if (text.matches("[1-9][0-9]{0,9}")) {
            return true;
        }
        err.println("reaper: '" + text + "' is not a process id (a positive number)");
        return false;
    }
}
