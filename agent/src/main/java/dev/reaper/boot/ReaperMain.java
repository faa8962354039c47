package dev.reaper.boot;

/** {@code java -jar reaper.jar ...}: runs the command line tool inside the agent's module layer. */
public final class ReaperMain {
    private ReaperMain() {}

    public static void main(String[] args) throws Exception {
        Class<?> cli = AgentLayer.load(ReaperMain.class).findLoader(AgentLayer.AGENT_MODULE).loadClass("dev.reaper.cli.Cli");
        int status = (int) cli.getMethod("run", String[].class).invoke(null, (Object) args);
        System.exit(status);
    }
}
