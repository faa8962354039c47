package dev.reaper.boot;

import java.nio.file.Path;

/** {@code java -jar reaper.jar ...}: runs the command line tool in the core's class loader. */
public final class ReaperMain {
    private static final String TOOL = "dev.reaper.cli.Cli";

    private ReaperMain() {}

    public static void main(String[] args) throws Exception {
        Class<?> cli = new AgentLoader(ReaperMain.class).toolLoader().loadClass(TOOL);
        String jar =
                Path.of(
                                ReaperMain.class
                                        .getProtectionDomain()
                                        .getCodeSource()
                                        .getLocation()
                                        .toURI())
                        .toString();
        int status =
                (int) cli.getMethod("run", String[].class, String.class).invoke(null, args, jar);
        System.exit(status);
    }
}
