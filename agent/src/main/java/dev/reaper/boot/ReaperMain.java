package dev.reaper.boot;

import java.nio.file.Path;

/** {@code java -jar reaper.jar ...}: runs the command line tool inside the agent's module layer. */
public final class ReaperMain {
    private ReaperMain() {}

    public static void main(String[] args) throws Exception {
        Class<?> cli = new AgentLayer(ReaperMain.class).moduleLayer().findLoader(AgentLayer.AGENT_MODULE).loadClass("dev.reaper.cli.Cli");
        String jar = Path.of(ReaperMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        int status = (int) cli.getMethod("run", String[].class, String.class).invoke(null, args, jar);
        System.exit(status);
    }
}
